"""The papermill engine of the report runner: papermill's own, writing the notebook once.

papermill's engine writes the executed notebook after every cell starts and
ends (a JSON dump and a schema validation of the whole notebook each time, so
a cost that grows with cells × outputs); :class:`SaveAtEndEngine` writes it
once, when the notebook ends, whether it finished, raised or timed out (the
runner keeps a failed one as ``<name>.failed.ipynb``), and papermill writes the
finished notebook once more. The notebook written is the same.

Imported by the runner's workers only (it imports papermill).

Examples
--------
>>> import papermill
>>> papermill.engines.papermill_engines.get_engine(ENGINE_NAME) is SaveAtEndEngine
True
"""

from __future__ import annotations

from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines

__all__ = ["ENGINE_NAME", "SaveAtEndEngine"]

#: The name to give ``papermill.execute_notebook(engine_name=...)``.
ENGINE_NAME = "refugeestudy"


class _SaveAtEnd(NotebookExecutionManager):
    """papermill's execution state, written only once the notebook has ended."""

    ended = False

    def save(self, **kwargs):
        if self.ended:
            super().save(**kwargs)

    def notebook_complete(self, **kwargs):
        self.ended = True
        super().notebook_complete(**kwargs)


class SaveAtEndEngine(NBClientEngine):
    """papermill's nbclient engine with :class:`_SaveAtEnd` in place of its per-cell writes."""

    @classmethod
    def execute_notebook(cls, nb, kernel_name, output_path=None, progress_bar=True, log_output=False,
                         **kwargs):
        """Run ``nb`` as :meth:`papermill.engines.Engine.execute_notebook` does, writing it at the end."""
        manager = _SaveAtEnd(nb, output_path=output_path, progress_bar=progress_bar,
                             log_output=log_output, autosave_cell_every=0)
        manager.notebook_start()
        try:
            cls.execute_managed_notebook(manager, kernel_name, log_output=log_output, **kwargs)
        finally:
            manager.cleanup_pbar()
            manager.notebook_complete()  # also on an error or a timeout: the notebook is written
        return manager.nb


papermill_engines.register(ENGINE_NAME, SaveAtEndEngine)
