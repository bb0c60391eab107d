"""Media coverage log: outlets, coverage items, import, dashboard, summary and exports."""
