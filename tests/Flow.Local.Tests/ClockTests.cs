using Flow.Swf;
using Microsoft.Extensions.Time.Testing;
using static Flow.Local.Tests.Harness;

namespace Flow.Local.Tests;

/// <summary>The engine against a clock whose timers do not keep exact time, as the system's do not.</summary>
public class ClockTests
{
    /// <summary>Timers that fire a little before the clock reaches their due time, as the system's can: they
    /// count whole milliseconds on a tick counter that is not the wall clock the due times are read from.</summary>
    sealed class EarlyTimers(FakeTimeProvider clock, TimeSpan early) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => clock.GetUtcNow();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            new Early(clock.CreateTimer(callback, state, Shift(dueTime), period), this);

        TimeSpan Shift(TimeSpan due) => due == Timeout.InfiniteTimeSpan ? due : due > early ? due - early : TimeSpan.Zero;

        sealed class Early(ITimer inner, EarlyTimers owner) : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => inner.Change(owner.Shift(dueTime), period);
            public void Dispose() => inner.Dispose();
            public ValueTask DisposeAsync() => inner.DisposeAsync();
        }
    }

    [Test]
    public async Task A_timer_that_wakes_the_engine_early_still_fires_at_its_time_without_another_call()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var early = TimeSpan.FromMilliseconds(0.5);
        using var engine = new LocalSwf(new LocalSwfOptions { TimeProvider = new EarlyTimers(clock, early), LongPollHold = TimeSpan.FromHours(1) });
        var swf = engine.Client;
        await swf.RegisterDomainAsync(new RegisterDomainInput { Name = Domain, WorkflowExecutionRetentionPeriodInDays = "1" });
        await swf.RegisterWorkflowTypeAsync(new RegisterWorkflowTypeInput
        {
            Domain = Domain, Name = "Flow", Version = "1", DefaultTaskList = new TaskList { Name = Decisions },
            DefaultExecutionStartToCloseTimeout = "3600", DefaultTaskStartToCloseTimeout = "NONE", DefaultChildPolicy = ChildPolicy.Terminate,
        });
        await swf.StartWorkflowExecutionAsync(new StartWorkflowExecutionInput
        {
            Domain = Domain, WorkflowId = "w", WorkflowType = new WorkflowType { Name = "Flow", Version = "1" },
        });
        var poll = new PollForDecisionTaskInput { Domain = Domain, TaskList = new TaskList { Name = Decisions } };
        var first = await swf.PollForDecisionTaskAsync(poll);
        await swf.RespondDecisionTaskCompletedAsync(new RespondDecisionTaskCompletedInput { TaskToken = first.TaskToken, Decisions = [StartTimer("t", "10")] });

        // The only caller is a poller waiting for the timer's decision task: nothing else enters the engine.
        var waiting = swf.PollForDecisionTaskAsync(poll);
        clock.Advance(TimeSpan.FromSeconds(10) - early);
        Assert.That(waiting.IsCompleted, Is.False, "the timer is not due yet");
        clock.Advance(early);
        var task = await waiting.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(task.Events.Select(e => e.EventType), Does.Contain(EventType.TimerFired));
        Assert.That(task.Events.Single(e => e.EventType == EventType.TimerFired).EventTimestamp, Is.EqualTo(clock.GetUtcNow()));
    }

    [Test]
    public void Timeouts_and_timers_beyond_what_a_timer_can_wait_at_once_are_armed_and_fire_at_their_time()
    {
        // System timers wait at most 2^32-2 ms (about 49.7 days); SWF allows a year.
        using var h = new Harness();
        var t0 = h.Time.GetUtcNow();
        var wf = h.Start(configure: s => s.ExecutionStartToCloseTimeout = "31536000");
        h.Decide(h.PollDecision(), StartTimer("t", "5184000"));
        // Nothing calls the engine while the clock moves: only its own timer can fire what comes due, at its time.
        h.Advance(TimeSpan.FromDays(60));
        h.Advance(TimeSpan.FromDays(1));
        var fired = h.History(wf).Single(e => e.EventType == EventType.TimerFired);
        Assert.That(fired.EventTimestamp, Is.EqualTo(t0 + TimeSpan.FromDays(60)));
        h.Decide(h.PollDecision());
        h.Advance(TimeSpan.FromDays(304));
        h.Advance(TimeSpan.FromHours(12));
        var last = h.History(wf)[^1];
        Assert.That((last.EventType, last.EventTimestamp), Is.EqualTo((EventType.WorkflowExecutionTimedOut, t0 + TimeSpan.FromDays(365))));
    }
}
