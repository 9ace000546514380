"""What every admin shares: change lists that cost the same at a million records
(changelists), and forms that read ASCII numbers and answer raced writes (forms)."""
