-- The message an operator gives with a disconnect, shown to the disconnected user in the web console.
ALTER TABLE kvm_session ADD COLUMN terminate_message VARCHAR(200);
