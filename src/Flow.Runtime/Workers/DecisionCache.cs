using Flow.Workflows;

namespace Flow.Workers;

/// <summary>
/// Live executors between decision tasks, least recently used first out. An executor is taken out while a task
/// works on it and put back only after SWF accepted the response, so no two tasks ever share one and a failed
/// response never leaves an executor ahead of the history.
/// </summary>
internal sealed class DecisionCache(int capacity)
{
    private readonly Dictionary<string, LinkedListNode<(string RunId, WorkflowExecutor Executor)>> _byRun = new(StringComparer.Ordinal);
    private readonly LinkedList<(string RunId, WorkflowExecutor Executor)> _lru = new();

    public int Capacity => capacity;

    public int Count
    {
        get { lock (_lru) return _lru.Count; }
    }

    public WorkflowExecutor? Take(string runId)
    {
        lock (_lru)
        {
            if (!_byRun.Remove(runId, out var node))
                return null;
            _lru.Remove(node);
            return node.Value.Executor;
        }
    }

    public void Put(string runId, WorkflowExecutor executor)
    {
        if (capacity == 0)
            return;
        lock (_lru)
        {
            if (_byRun.Remove(runId, out var old))
                _lru.Remove(old);
            _byRun[runId] = _lru.AddFirst((runId, executor));
            while (_lru.Count > capacity)
            {
                var last = _lru.Last!;
                _lru.RemoveLast();
                _byRun.Remove(last.Value.RunId);
            }
        }
    }
}
