"""Avatars: presenters that speak the script, lip-synced from the voice's phoneme events.

    personas.py     the persona library as data (contract §6.1)
    visemes.py      IPA phoneme -> viseme (15 mouth classes) and their mouth shapes
    lipsync.py      speech -> per-frame mouth curves (coarticulation, visual lead)
    performance.py  expressions by scene role, blinks, breathing, head motion, gestures
    looks.py        how each persona looks; drawing.py / scenes.py / puppet.py draw and composite it
    sprite.py       the `Avatar` seam, the drawn default and the sprite file writer (qtrle .mov, alpha)
    photo.py        a photo animated as the presenter (MediaPipe Face Landmarker)
    remote.py       a hosted talking-head service behind the same seam
    previews.py     persona preview stills and clips per aspect, made on first use
"""
