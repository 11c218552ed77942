"""The ladder as data (workflows/*.toml), one transitions Machine over it, guards, and the batch."""
