"""What every admin shares: the base of every translated record's admin (directory), change
lists that cost the same at a million records (changelists), and forms that read ASCII numbers
and answer raced writes (forms)."""
