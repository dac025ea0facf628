using Flow.Swf;

namespace Flow.Local;

/// <summary>Where the engine's state lives between restarts. The engine holds everything in memory and
/// hands the store what one API call changed, to be written durably before the call returns.</summary>
internal interface ILocalStore : IDisposable
{
    LoadedState Load();

    /// <summary>Takes a snapshot of what one call changed (under the engine's lock, so the state cannot move
    /// underneath); returns a ticket for <see cref="WaitDurable"/>, or 0 when nothing needs saving.</summary>
    long Stage(ChangeSet changes);

    /// <summary>Returns once everything staged up to <paramref name="ticket"/> is committed (outside the
    /// engine's lock, so calls that arrive meanwhile share the next commit: group commit).</summary>
    void WaitDurable(long ticket);
}

internal sealed class LoadedState
{
    public List<DomainState> Domains { get; } = [];
    public List<TypeState> Types { get; } = [];
    public List<ExecutionState> Executions { get; } = [];
}

/// <summary>What one API call (or one round of timeouts) changed.</summary>
internal sealed class ChangeSet
{
    public List<DomainState> Domains { get; } = [];
    public List<TypeState> Types { get; } = [];
    public List<TypeState> DeletedTypes { get; } = [];
    public HashSet<ExecutionState> Executions { get; } = [];
    public List<ExecutionState> DeletedExecutions { get; } = [];
    public List<(ExecutionState Execution, HistoryEvent Event)> Events { get; } = [];

    public bool IsEmpty => Domains.Count == 0 && Types.Count == 0 && DeletedTypes.Count == 0 && Executions.Count == 0 && Events.Count == 0
        && DeletedExecutions.Count == 0;

    public void Clear()
    {
        Domains.Clear();
        Types.Clear();
        DeletedTypes.Clear();
        Executions.Clear();
        DeletedExecutions.Clear();
        Events.Clear();
    }
}

/// <summary>Nothing to save: the engine's memory is the store.</summary>
internal sealed class MemoryStore : ILocalStore
{
    public LoadedState Load() => new();

    public long Stage(ChangeSet changes) => 0;

    public void WaitDurable(long ticket)
    {
    }

    public void Dispose()
    {
    }
}
