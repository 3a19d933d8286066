package org.cam.ctl;

import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** picocli's generated completion script; it also serves zsh through bashcompinit. */
@Command(name = "completion", description = "Print the bash/zsh completion script: source <(camctl completion)")
final class CompletionCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().getOut().print(AutoComplete.bash("camctl", spec.root().commandLine()));
        spec.commandLine().getOut().flush();
    }
}
