-- Paired POS tablets (a device token names one; a revoked one is refused on its next
-- request, so the API reads revoked_at by primary key on every device-token request) and the
-- staff PINs a tablet may send (a slow salted hash, never the PIN; failed attempts bounded).
-- depends: 0011_stamps_rewards_devices
CREATE TABLE devices (
    business_id text NOT NULL,
    device_id uuid NOT NULL,
    name text NOT NULL,
    store_id text,
    terminal_id text,
    paired_by text NOT NULL,
    paired_at timestamptz NOT NULL,
    revoked_at timestamptz,
    revoked_by text,
    PRIMARY KEY (business_id, device_id)
);

CREATE TABLE staff_pins (
    business_id text NOT NULL,
    staff_id text NOT NULL,
    pin_hash text NOT NULL,
    failed_attempts integer NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
    locked_until timestamptz,
    set_by text NOT NULL,
    set_at timestamptz NOT NULL,
    PRIMARY KEY (business_id, staff_id)
);
