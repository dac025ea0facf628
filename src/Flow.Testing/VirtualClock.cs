namespace Flow.Testing;

/// <summary>
/// Virtual time for the test environment: it stands still until <see cref="AdvanceTo"/> moves it, and timers fire
/// only then, synchronously, in due order. The environment moves it; nothing else does.
/// </summary>
internal sealed class VirtualClock : TimeProvider
{
    private readonly object _gate = new();
    private readonly List<VirtualTimer> _timers = [];
    private DateTimeOffset _now;
    private long _sequence;

    public VirtualClock(DateTimeOffset start) => _now = start;

    /// <summary>Timers created while this is set are remembered as <see cref="Watched"/> (the engine's due timer).</summary>
    public bool Watching { get; set; }

    public List<VirtualTimer> Watched { get; } = [];

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
            return _now;
    }

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new VirtualTimer(this, callback, state);
        lock (_gate)
        {
            _timers.Add(timer);
            if (Watching)
                Watched.Add(timer);
        }
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>The earliest due time among <paramref name="timers"/>, or null when none is armed.</summary>
    public DateTimeOffset? NextDue(IEnumerable<VirtualTimer> timers)
    {
        lock (_gate)
        {
            DateTimeOffset? next = null;
            foreach (var t in timers)
                if (t.Due is { } due && (next is null || due < next))
                    next = due;
            return next;
        }
    }

    /// <summary>Moves time forward to <paramref name="target"/>, firing every timer due by then in due order,
    /// each with the clock set to its own due time.</summary>
    public void AdvanceTo(DateTimeOffset target)
    {
        while (true)
        {
            VirtualTimer? fire = null;
            lock (_gate)
            {
                foreach (var t in _timers)
                    if (t.Due is { } due && due <= target && (fire is null || due < fire.Due || (due == fire.Due && t.Armed < fire.Armed)))
                        fire = t;
                if (fire is null)
                {
                    if (target > _now)
                        _now = target;
                    return;
                }
                if (fire.Due > _now)
                    _now = fire.Due!.Value;
                fire.Due = fire.Period is { } p ? _now + p : null;
                fire.Armed = ++_sequence;
            }
            fire.Fire();
        }
    }

    internal void Arm(VirtualTimer timer, TimeSpan dueTime, TimeSpan period)
    {
        lock (_gate)
        {
            timer.Due = dueTime == Timeout.InfiniteTimeSpan ? null : _now + (dueTime < TimeSpan.Zero ? TimeSpan.Zero : dueTime);
            timer.Period = period == Timeout.InfiniteTimeSpan || period <= TimeSpan.Zero ? null : period;
            timer.Armed = ++_sequence;
        }
    }

    internal void Remove(VirtualTimer timer)
    {
        lock (_gate)
        {
            timer.Due = null;
            _timers.Remove(timer);
            Watched.Remove(timer);
        }
    }
}

internal sealed class VirtualTimer(VirtualClock clock, TimerCallback callback, object? state) : ITimer
{
    public DateTimeOffset? Due { get; set; }
    public TimeSpan? Period { get; set; }
    public long Armed { get; set; }

    public bool Change(TimeSpan dueTime, TimeSpan period)
    {
        clock.Arm(this, dueTime, period);
        return true;
    }

    public void Fire() => callback(state);

    public void Dispose() => clock.Remove(this);

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
