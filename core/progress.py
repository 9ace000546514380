"""The progress bar of a long management command: on a terminal only, and only once there is
progress to show.

tqdm draws its bar when it is made, and again when closed: written to a file or a pipe (a
cron job's log, call_command's captured output), or for a file with no rows, that left a
stray "checked: 0 rows [00:00, ? rows/s]" line.
"""

from tqdm import tqdm


class ProgressBar:
    """tqdm's bar on `stream` (a command's OutputWrapper), made at the first update."""

    def __init__(self, stream, *, disable=False, **options):
        self.stream = stream
        self.disabled = disable or not stream.isatty()
        self.options = options
        self.bar = None

    def update(self, count=1):
        if self.disabled or not count:
            return
        if self.bar is None:
            self.bar = tqdm(file=self.stream, **self.options)
        self.bar.update(count)

    def close(self):
        if self.bar is not None:
            self.bar.close()
