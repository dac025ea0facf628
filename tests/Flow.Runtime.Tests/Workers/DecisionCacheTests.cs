using Flow.Swf;

namespace Flow.Runtime.Tests.Workers;

[TestFixture]
public class DecisionCacheTests
{
    private static readonly ActivityDefinition Step = Harness.Activity("Step");

    private static WorkflowHandler Sequence(WorkflowDefinition definition, int steps) => Harness.Handler(definition, async (_, _) =>
    {
        int total = 0;
        for (int i = 0; i < steps; i++)
            total += int.Parse((await Workflow.ExecuteActivityAsync(Step, i.ToString(System.Globalization.CultureInfo.InvariantCulture)))!,
                System.Globalization.CultureInfo.InvariantCulture);
        return total.ToString(System.Globalization.CultureInfo.InvariantCulture);
    });

    // The client reads the newest event (reverseOrder) to wait for results; the worker reads forward.
    private static int WorkerHistoryReads(Harness h) =>
        h.Probe.InputsOf<GetWorkflowExecutionHistoryInput>("GetWorkflowExecutionHistory").Count(i => i.ReverseOrder != true && i.MaximumPageSize != 1000);

    private static ActivityHandler Echo() => new(Step, (input, _) => Task.FromResult(input));

    [Test]
    public async Task Later_decisions_of_a_long_workflow_are_cache_hits_that_apply_only_new_events()
    {
        await using var h = new Harness();
        var definition = Harness.Workflow("Long");
        var worker = await h.StartWorkflowWorker([Sequence(definition, 20)], o => o with { MaximumPageSize = 10 });
        await h.StartActivityWorker([Echo()]);

        var run = await h.Client.StartAsync(definition, "long-1", null);

        Assert.That(await h.Result(run), Is.EqualTo("190"));
        // 21 decisions: the first replays from event 1, each later one only from its previous decision on.
        Assert.That(worker.DecisionCacheMisses, Is.EqualTo(1));
        Assert.That(worker.DecisionCacheHits, Is.EqualTo(20));
        Assert.That(WorkerHistoryReads(h), Is.Zero);
    }

    [Test]
    public async Task A_hit_reads_only_the_pages_after_the_previous_decision()
    {
        await using var h = new Harness();
        var definition = Harness.Workflow("Paged");
        var worker = await h.StartWorkflowWorker([Sequence(definition, 30)], o => o with { MaximumPageSize = 5 });
        await h.StartActivityWorker([Echo()]);
        var run = await h.Client.StartAsync(definition, "paged-1", null);
        await h.Result(run);
        int historyEvents = (await h.History(run)).Count;

        // Without the cache, 31 decisions over 5-event pages would poll for hundreds of pages.
        int decisionPolls = h.Probe.Calls.Count(c => c == "PollForDecisionTask");
        Assert.That(worker.DecisionCacheHits, Is.EqualTo(30));
        Assert.That(decisionPolls, Is.LessThan(31 * 3 + 5), $"history of {historyEvents} events");
    }

    [Test]
    public async Task Without_the_cache_every_decision_replays_the_full_history()
    {
        await using var h = new Harness();
        var definition = Harness.Workflow("Uncached");
        var worker = await h.StartWorkflowWorker([Sequence(definition, 5)], o => o with { DecisionCacheSize = 0 });
        await h.StartActivityWorker([Echo()]);

        var run = await h.Client.StartAsync(definition, "uncached-1", null);

        Assert.That(await h.Result(run), Is.EqualTo("10"));
        Assert.That(worker.DecisionCacheHits, Is.Zero);
        Assert.That(worker.DecisionCacheMisses, Is.Zero);
    }

    [Test]
    public async Task An_evicted_run_is_replayed_in_full_from_get_workflow_execution_history()
    {
        await using var h = new Harness();
        var first = Harness.Workflow("First");
        var second = Harness.Workflow("Second");
        // One executor fits: two runs taking turns evict each other.
        var worker = await h.StartWorkflowWorker([Sequence(first, 3), Sequence(second, 3)], o => o with { DecisionCacheSize = 1, Pollers = 1, MaxConcurrentTasks = 1, MaximumPageSize = 100 });
        await h.StartActivityWorker([Echo()], o => o with { Pollers = 1, MaxConcurrentTasks = 1 });

        var a = await h.Client.StartAsync(first, "first-1", null);
        var b = await h.Client.StartAsync(second, "second-1", null);

        Assert.That(await h.Result(a), Is.EqualTo("3"));
        Assert.That(await h.Result(b), Is.EqualTo("3"));
        Assert.That(worker.DecisionCacheMisses, Is.GreaterThan(2));
        Assert.That(WorkerHistoryReads(h), Is.GreaterThan(0));
    }

    [Test]
    public async Task A_sticky_task_list_routes_the_next_decisions_to_the_worker_that_holds_the_run()
    {
        await using var h = new Harness();
        var definition = Harness.Workflow("Sticky");
        var worker = await h.StartWorkflowWorker([Sequence(definition, 3)], o => o with { StickyTaskList = true });
        await h.StartActivityWorker([Echo()]);

        var run = await h.Client.StartAsync(definition, "sticky-1", null);

        Assert.That(await h.Result(run), Is.EqualTo("3"));
        var lists = (await h.History(run)).Where(e => e.EventType == EventType.DecisionTaskScheduled)
            .Select(e => e.DecisionTaskScheduledEventAttributes!.TaskList.Name).ToList();
        Assert.That(lists[0], Is.EqualTo(Harness.Decisions));
        Assert.That(lists.Skip(1), Is.All.EqualTo(worker.StickyTaskList));
        Assert.That(worker.DecisionCacheHits, Is.EqualTo(3));
    }

    [Test]
    public async Task A_cache_hit_that_falls_back_to_a_full_replay_counts_as_a_miss()
    {
        await using var h = new Harness();
        var definition = Harness.Workflow("Doubted");
        // The live run's timer takes a token the test cancels from its own thread: the cached executor reports that
        // escape at its next decision, which is then replayed in full by a fresh executor (whose token nobody cancels).
        var outside = new CancellationTokenSource();
        bool live = true;
        var worker = await h.StartWorkflowWorker([Harness.Handler(definition, async (self, input) =>
        {
            bool go = false;
            self.Signals["Go"] = _ => go = true;
            var token = live ? outside.Token : CancellationToken.None;
            live = false;
            _ = Workflow.DelayAsync(TimeSpan.FromHours(1), token);
            await Workflow.WaitConditionAsync(() => go);
            return "done";
        })]);

        var run = await h.Client.StartAsync(definition, "doubted-1", null);
        await h.WhenEvent(run, EventType.TimerStarted);
        await outside.CancelAsync();
        await h.Client.SignalAsync(run, "Go", null);

        Assert.That(await h.Result(run), Is.EqualTo("done"));
        Assert.That((worker.DecisionCacheHits, worker.DecisionCacheMisses), Is.EqualTo((0L, 2L)));
    }
}
