using Flow.Swf;

namespace Flow.Local;

/// <summary>Where the engine's state lives between restarts. The engine holds everything in memory and
/// hands the store what one API call changed, to be written durably before the call returns. A commit that
/// fails fails every call in it and every call staged after it (they saw its changes), and the store
/// refuses new changes until the engine has reloaded its state from what was committed.</summary>
internal interface ILocalStore : IDisposable
{
    LoadedState Load();

    /// <summary>Takes a snapshot of what one call changed (under the engine's lock, so the state cannot move
    /// underneath); returns the commit it joins, for <see cref="WaitDurable"/>. Throws
    /// <see cref="StoreFailedException"/> while <see cref="Failed"/>.</summary>
    StoreCommit? Stage(ChangeSet changes);

    /// <summary>The newest commit not yet known durable, if any: a call that changed nothing but saw the state
    /// waits for it too, so no answer tells of a change that may yet be lost.</summary>
    StoreCommit? Latest { get; }

    /// <summary>Returns once <paramref name="commit"/> is durable (outside the engine's lock, so calls that arrive
    /// meanwhile share the next commit: group commit); throws <see cref="StoreFailedException"/> if it failed.</summary>
    void WaitDurable(StoreCommit commit);

    /// <summary>As <see cref="WaitDurable"/>, without holding a thread: the store commits on its own.</summary>
    Task WaitDurableAsync(StoreCommit commit);

    /// <summary>True from a failed commit until <see cref="Reload"/>: the engine's memory is ahead of the store.</summary>
    bool Failed { get; }

    /// <summary>After a failure: waits out any commit in progress, reads back what was committed, and accepts
    /// changes again.</summary>
    LoadedState Reload();
}

/// <summary>One group commit: the calls staged into it learn together whether it reached the file.</summary>
internal class StoreCommit
{
    // Continuations run on the thread that publishes, outside the store's locks: the committer answers the calls
    // it committed itself instead of handing each to another thread.
    readonly TaskCompletionSource _attempted = new();

    /// <summary>Set once the commit has been attempted (guarded by the store's commit lock).</summary>
    public bool Done { get; private set; }

    public Exception? Error { get; set; }

    /// <summary>Completes once the commit has been attempted and published (then see <see cref="Error"/>).</summary>
    public Task Attempted => _attempted.Task;

    /// <summary>Under the store's lock; <see cref="Publish"/> follows once the lock is released.</summary>
    public void MarkDone() => Done = true;

    /// <summary>Runs what awaits the commit, on this thread: never under a lock.</summary>
    public void Publish() => _attempted.TrySetResult();
}

/// <summary>A call's changes could not be saved; the call is not done and the engine rolls back to the store.</summary>
internal sealed class StoreFailedException(string message, Exception? inner) : Exception(message, inner);

internal sealed class LoadedState
{
    public List<DomainState> Domains { get; } = [];
    public List<TypeState> Types { get; } = [];
    public List<ExecutionState> Executions { get; } = [];

    /// <summary>The key task and page tokens are signed with: the store's own, so its tokens outlive a restart.</summary>
    public byte[] TokenKey { get; set; } = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);

    /// <summary>Records the store holds but could not load (kept in the file, reported, never dropped).</summary>
    public List<string> Problems { get; } = [];
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

/// <summary>Nothing to save: the engine's memory is the store, and it cannot fail.</summary>
internal sealed class MemoryStore : ILocalStore
{
    public LoadedState Load() => new();

    public StoreCommit? Stage(ChangeSet changes) => null;

    public StoreCommit? Latest => null;

    public void WaitDurable(StoreCommit commit)
    {
    }

    public Task WaitDurableAsync(StoreCommit commit) => Task.CompletedTask;

    public bool Failed => false;

    public LoadedState Reload() => throw new NotSupportedException("An in-memory engine has no store to reload from.");

    public void Dispose()
    {
    }
}
