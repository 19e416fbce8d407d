"""Writing the numpy ports' test fixtures as HDF5 files that come out byte for byte the same on
every run (no timestamps, the earliest file format): used by numpy_softmax.py and numpy_l2.py."""


def write_h5(path, datasets):
    """datasets: {name: array} or {group: {name: array}}; no timestamps, so reruns match."""
    import h5py
    with h5py.File(path, "w", libver="earliest", track_order=False) as f:
        for name, value in datasets.items():
            if isinstance(value, dict):
                grp = f.create_group(name)
                for k, v in value.items():
                    grp.create_dataset(k, data=v, track_times=False)
            else:
                f.create_dataset(name, data=value, track_times=False)
