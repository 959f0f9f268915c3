"""Committees, terms of office, meetings on a cycle, agendas, minutes and notices."""
