"""The application layer: run kinds with their parameters and defaults, the guard, the main job."""
