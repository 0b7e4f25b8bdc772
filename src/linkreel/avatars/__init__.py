"""Avatars: the persona library (presenters); the renderer comes with a later issue."""
