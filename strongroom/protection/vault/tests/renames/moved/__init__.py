"""A second throwaway app that adopts ``vault_renames.Holder`` (a model moved across apps)."""
