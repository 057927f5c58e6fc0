// EpisodeIO: see README.md in this folder for what this layer owns.
import CHDF5
import CLibAV
