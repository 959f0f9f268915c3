"""The annual conference: eligibility, registration, credentials, check-in, timetable and papers."""
