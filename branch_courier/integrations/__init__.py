"""HTTP clients for the partner services we do not own: tracking, notification, payment gateway."""
