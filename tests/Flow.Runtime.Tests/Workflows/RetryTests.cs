using Flow.Swf;
using Flow.Workflows;
using Flow.Workers;

namespace Flow.Runtime.Tests.Workflows;

/// <summary>Retry policies beyond the activity basics in ActivityTests: child workflows, caps, expiration, cancellation.</summary>
public class RetryTests
{
    private static readonly RetryPolicy Policy = new()
    {
        MaximumAttempts = 3, InitialInterval = TimeSpan.FromSeconds(10), BackoffCoefficient = 2, NonRetryableReasons = ["Fatal"],
    };

    private static void ChildFails(HistoryBuilder h, long initiated, string workflowId, string reason, string? details = null) =>
        h.Do(EventType.ChildWorkflowExecutionFailed, e => e.ChildWorkflowExecutionFailedEventAttributes = new()
        {
            InitiatedEventId = initiated, StartedEventId = initiated + 1, Reason = reason, Details = details,
            WorkflowExecution = new() { WorkflowId = workflowId, RunId = "child-run" }, WorkflowType = Defs.Child.ToWorkflowType(),
        });

    private static void ActivityFails(HistoryBuilder h, long scheduled, string reason, string? details = null) =>
        h.Do(EventType.ActivityTaskFailed, e => e.ActivityTaskFailedEventAttributes = new()
        { ScheduledEventId = scheduled, StartedEventId = scheduled + 1, Reason = reason, Details = details });

    /// <summary>What Flow's activity worker records when an activity throws <paramref name="thrown"/>.</summary>
    private static void ActivityThrew(HistoryBuilder h, long scheduled, Exception thrown) =>
        ActivityFails(h, scheduled, ActivityFailure.Reason(thrown), ActivityFailure.Details(thrown));

    private static Func<string?, Task<string?>> Child(RetryPolicy policy) => async _ =>
    {
        try { return await Workflow.ExecuteChildWorkflowAsync(Defs.Child, "in", new ChildWorkflowOptions { RetryPolicy = policy }); }
        catch (ChildWorkflowFailedException e) { return "gave up: " + e.Reason; }
    };

    [Test]
    public void A_failed_child_is_started_again_as_its_next_attempt_after_a_durable_timer()
    {
        var h = new HistoryBuilder().Started();
        h.Decided();
        var i = h.ChildInitiated("run-1.1");
        h.ChildStarted(i, "run-1.1");
        ChildFails(h, i, "run-1.1", "Transient");
        var atFailure = h.Decide();
        h.DecisionCompleted();
        var t = h.TimerStarted("r1", "10");
        h.TimerFired("r1", t);
        h.Decide();

        var first = Defs.Executor(Child(Policy)).ProcessDecisionTask(h.Task(atFailure));
        var second = Defs.Executor(Child(Policy)).ProcessDecisionTask(h.Task());

        Assert.That(first.Decisions.Single().StartTimerDecisionAttributes!.StartToFireTimeout, Is.EqualTo("10"));
        var again = second.Decisions.Single().StartChildWorkflowExecutionDecisionAttributes!;
        Assert.That((again.WorkflowId, again.WorkflowType.Name, again.Input), Is.EqualTo(("run-1.1#2", "Child", "in")));
    }

    [Test]
    public void A_child_that_fails_with_a_non_retryable_reason_is_not_started_again()
    {
        var h = new HistoryBuilder().Started();
        h.Decided();
        var i = h.ChildInitiated("run-1.1");
        h.ChildStarted(i, "run-1.1");
        ChildFails(h, i, "run-1.1", "Fatal");
        h.Decide();

        var result = Defs.Executor(Child(Policy)).ProcessDecisionTask(h.Task());

        Assert.That(result.Decisions.Single().CompleteWorkflowExecutionDecisionAttributes!.Result, Is.EqualTo("gave up: Fatal"));
    }

    [Test]
    public void A_timed_out_child_is_retried_when_no_reasons_are_listed()
    {
        var h = new HistoryBuilder().Started();
        h.Decided();
        var i = h.ChildInitiated("run-1.1");
        h.ChildStarted(i, "run-1.1");
        h.Do(EventType.ChildWorkflowExecutionTimedOut, e => e.ChildWorkflowExecutionTimedOutEventAttributes = new()
        {
            InitiatedEventId = i, StartedEventId = i + 1, TimeoutType = WorkflowExecutionTimeoutType.StartToClose,
            WorkflowExecution = new() { WorkflowId = "run-1.1", RunId = "child-run" }, WorkflowType = Defs.Child.ToWorkflowType(),
        });
        h.Decide();

        var result = Defs.Executor(Child(Policy)).ProcessDecisionTask(h.Task());

        Assert.That(result.Decisions.Single().StartTimerDecisionAttributes!.StartToFireTimeout, Is.EqualTo("10"));
    }

    [Test]
    public void Intervals_grow_by_the_coefficient_up_to_the_maximum_interval()
    {
        var policy = new RetryPolicy { MaximumAttempts = 5, InitialInterval = TimeSpan.FromSeconds(10), BackoffCoefficient = 3, MaximumInterval = TimeSpan.FromSeconds(45) };
        var h = new HistoryBuilder().Started();
        h.Decided();
        var timers = new List<string>();
        long started = 0;
        for (var attempt = 1; attempt <= 4; attempt++)
        {
            var s = h.ActivityScheduled(attempt == 1 ? "1" : "1#" + attempt);
            ActivityFails(h, s, "Transient");
            started = h.Decide();
            var decided = Defs.Executor(_ => Workflow.ExecuteActivityAsync(Defs.Act, null, new ActivityOptions { RetryPolicy = policy }))
                .ProcessDecisionTask(h.Task(started));
            var timer = decided.Decisions.Single().StartTimerDecisionAttributes!;
            timers.Add(timer.StartToFireTimeout);
            h.DecisionCompleted();
            var t = h.TimerStarted(timer.TimerId, timer.StartToFireTimeout);
            h.TimerFired(timer.TimerId, t);
            h.Decided();
        }

        Assert.That(timers, Is.EqualTo(new[] { "10", "30", "45", "45" }));
    }

    [Test]
    public void No_attempt_starts_once_the_expiration_would_be_passed()
    {
        var policy = new RetryPolicy { MaximumAttempts = 0, InitialInterval = TimeSpan.FromMinutes(1), Expiration = TimeSpan.FromSeconds(30) };
        var h = new HistoryBuilder().Started();
        h.Decided();
        var s = h.ActivityScheduled("1");
        ActivityFails(h, s, "Transient");
        h.Decide();

        var result = Defs.Executor(async _ =>
        {
            try { return await Workflow.ExecuteActivityAsync(Defs.Act, null, new ActivityOptions { RetryPolicy = policy }); }
            catch (ActivityFailedException e) { return "expired: " + e.Reason; }
        }).ProcessDecisionTask(h.Task());

        Assert.That(result.Decisions.Single().CompleteWorkflowExecutionDecisionAttributes!.Result, Is.EqualTo("expired: Transient"));
    }

    [Test]
    public void Cancelling_during_the_wait_between_attempts_cancels_the_timer_and_gives_up_at_once()
    {
        var h = new HistoryBuilder().Started();
        h.Decided();
        var s = h.ActivityScheduled("1");
        ActivityFails(h, s, "Transient");
        h.Decided();
        h.TimerStarted("r1", "10");
        h.Signaled("stop", null);
        h.Decide();

        var result = Defs.Executor(() =>
        {
            var cts = new CancellationTokenSource();
            var workflow = new TestWorkflow(async _ =>
            {
                try
                {
                    return await Workflow.ExecuteActivityAsync(Defs.Act, null, new ActivityOptions { RetryPolicy = Policy, CancellationToken = cts.Token });
                }
                catch (OperationCanceledException) { return "canceled"; }
            });
            workflow.Signals["stop"] = _ => { cts.Cancel(); return Task.CompletedTask; };
            return workflow;
        }).ProcessDecisionTask(h.Task());

        Assert.That(result.Types(), Is.EqualTo(new[] { DecisionType.CancelTimer, DecisionType.CompleteWorkflowExecution }));
        Assert.That(result.Decisions[0].CancelTimerDecisionAttributes!.TimerId, Is.EqualTo("r1"));
        Assert.That(result.Decisions[1].CompleteWorkflowExecutionDecisionAttributes!.Result, Is.EqualTo("canceled"));
    }

    private static readonly RetryPolicy AllowList = new()
    {
        MaximumAttempts = 3, InitialInterval = TimeSpan.FromSeconds(10), RetryableReasons = ["System.IO.IOException", "HttpRequestException"],
    };

    /// <summary>The decisions after activity 1's first attempt ended as <paramref name="ends"/> says, under <see cref="AllowList"/>.</summary>
    private static DecisionTaskResult AfterFirstAttempt(Action<HistoryBuilder, long> ends, RetryPolicy? policy = null)
    {
        var h = new HistoryBuilder().Started();
        h.Decided();
        var s = h.ActivityScheduled("1");
        h.ActivityStarted(s);
        ends(h, s);
        h.Decide();
        return Defs.Executor(async _ =>
        {
            try { return await Workflow.ExecuteActivityAsync(Defs.Act, null, new ActivityOptions { RetryPolicy = policy ?? AllowList }); }
            catch (Exception e) when (e is ActivityFailedException or ActivityTimedOutException) { return "gave up: " + e.GetType().Name; }
        }).ProcessDecisionTask(h.Task());
    }

    private static void Waits_to_retry(DecisionTaskResult result) =>
        Assert.That(result.Decisions.Single().StartTimerDecisionAttributes!.TimerId, Is.EqualTo("r1"));

    private static void Gives_up(DecisionTaskResult result, string exception) =>
        Assert.That(result.Decisions.Single().CompleteWorkflowExecutionDecisionAttributes!.Result, Is.EqualTo("gave up: " + exception));

    [Test]
    public void A_failure_whose_reason_is_on_the_retryable_list_is_retried()
    {
        Waits_to_retry(AfterFirstAttempt((h, s) => ActivityFails(h, s, "System.IO.IOException")));
    }

    [Test]
    public void A_listed_short_name_matches_the_full_type_name_of_the_failure()
    {
        Waits_to_retry(AfterFirstAttempt((h, s) => ActivityFails(h, s, "System.Net.Http.HttpRequestException")));
    }

    [Test]
    public void A_failure_that_is_not_on_the_retryable_list_is_not_retried()
    {
        Gives_up(AfterFirstAttempt((h, s) => ActivityFails(h, s, "System.InvalidOperationException")), nameof(ActivityFailedException));
    }

    [Test]
    public void A_time_out_is_not_retried_when_a_retryable_list_leaves_it_out()
    {
        Gives_up(AfterFirstAttempt((h, s) => h.Do(EventType.ActivityTaskTimedOut, e => e.ActivityTaskTimedOutEventAttributes = new()
        { ScheduledEventId = s, StartedEventId = s + 1, TimeoutType = ActivityTaskTimeoutType.StartToClose })), nameof(ActivityTimedOutException));
    }

    [Test]
    public void The_non_retryable_list_wins_over_the_retryable_one()
    {
        var both = AllowList with { NonRetryableReasons = ["IOException"] };

        Gives_up(AfterFirstAttempt((h, s) => ActivityFails(h, s, "System.IO.IOException"), both), nameof(ActivityFailedException));
    }

    [Test]
    public void A_failure_whose_exception_derives_from_a_listed_type_is_retried()
    {
        // A connection dropped mid-body: HttpIOException, an IOException.
        Waits_to_retry(AfterFirstAttempt((h, s) => ActivityThrew(h, s, new HttpIOException(HttpRequestError.ResponseEnded))));
    }

    [Test]
    public void A_listed_short_name_matches_a_base_type_of_the_failure()
    {
        var shortName = AllowList with { RetryableReasons = ["IOException"] };

        Waits_to_retry(AfterFirstAttempt((h, s) => ActivityThrew(h, s, new HttpIOException(HttpRequestError.ResponseEnded)), shortName));
    }

    private sealed class NestedFailure() : IOException("nested");

    private class GenericFailure<T>() : IOException(typeof(T).Name);

    private sealed class ClosedGenericFailure() : GenericFailure<Dictionary<string, List<int>>>();

    [Test]
    public void A_nested_exception_type_is_matched_by_its_short_name()
    {
        var policy = AllowList with { RetryableReasons = ["NestedFailure"] };

        Waits_to_retry(AfterFirstAttempt((h, s) => ActivityThrew(h, s, new NestedFailure()), policy));
    }

    [Test]
    public void A_generic_base_type_is_matched_by_its_name_without_type_arguments()
    {
        var policy = AllowList with { RetryableReasons = [typeof(GenericFailure<>).FullName!] };

        Waits_to_retry(AfterFirstAttempt((h, s) => ActivityThrew(h, s, new ClosedGenericFailure()), policy));
    }

    [Test]
    public void A_name_that_only_ends_like_a_listed_one_does_not_match()
    {
        var policy = AllowList with { RetryableReasons = ["Failure"] };

        Gives_up(AfterFirstAttempt((h, s) => ActivityFails(h, s, "Ns.NestedFailure"), policy), nameof(ActivityFailedException));
    }

    [Test]
    public void A_failure_whose_exception_derives_from_a_non_retryable_type_is_not_retried()
    {
        var policy = new RetryPolicy { MaximumAttempts = 3, InitialInterval = TimeSpan.FromSeconds(10), NonRetryableReasons = ["System.ArgumentException"] };

        Gives_up(AfterFirstAttempt((h, s) => ActivityThrew(h, s, new ArgumentNullException("path")), policy), nameof(ActivityFailedException));
    }

    [Test]
    public void A_failure_from_elsewhere_without_base_types_is_matched_by_its_own_type_only()
    {
        Gives_up(AfterFirstAttempt((h, s) => ActivityFails(h, s, "System.Net.Http.HttpIOException",
            """{"type":"System.Net.Http.HttpIOException","message":"dropped","stack":""}""")), nameof(ActivityFailedException));
    }

    [Test]
    public void A_child_whose_failure_derives_from_a_listed_type_is_started_again()
    {
        var policy = Policy with { NonRetryableReasons = [], RetryableReasons = ["System.IO.IOException"] };
        var thrown = new HttpIOException(HttpRequestError.ResponseEnded);
        var h = new HistoryBuilder().Started();
        h.Decided();
        var i = h.ChildInitiated("run-1.1");
        h.ChildStarted(i, "run-1.1");
        ChildFails(h, i, "run-1.1", ActivityFailure.Reason(thrown), ActivityFailure.Details(thrown));
        h.Decide();

        var result = Defs.Executor(Child(policy)).ProcessDecisionTask(h.Task());

        Assert.That(result.Decisions.Single().StartTimerDecisionAttributes!.StartToFireTimeout, Is.EqualTo("10"));
    }
}
