//! Recipient-side redemption.
