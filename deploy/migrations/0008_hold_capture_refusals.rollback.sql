DROP TABLE IF EXISTS hold_capture_refusals;
