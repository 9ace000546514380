"""The change log the database keeps of every write (log), and the data version read from it,
on which every cached answer depends (dataversion)."""
