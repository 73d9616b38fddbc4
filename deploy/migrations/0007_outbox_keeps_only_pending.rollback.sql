-- Deleted rows were already published; nothing to restore.
SELECT 1;
