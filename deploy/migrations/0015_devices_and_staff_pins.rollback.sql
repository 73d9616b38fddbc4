DROP TABLE staff_pins;
DROP TABLE devices;
