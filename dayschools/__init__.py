"""Day schools: series, schools, events in each city, workshops, bookings, check-in and attendance."""
