using System.Globalization;
using Flow.Swf;

namespace Flow.Runtime.Tests.Workers;

/// <summary>Children, continue-as-new and retries, run by real workers on the local engine.</summary>
[TestFixture]
public class CompositionTests
{
    [Test]
    public async Task A_parent_awaits_the_result_of_a_child_workflow()
    {
        await using var h = new Harness();
        var child = Harness.Workflow("Child");
        var parent = Harness.Workflow("Parent");
        await h.StartWorkflowWorker(
        [
            Harness.Handler(child, (_, input) => Task.FromResult<string?>("child saw " + input)),
            Harness.Handler(parent, async (_, input) => "parent got: " + await Workflow.ExecuteChildWorkflowAsync(child, input + "!")),
        ]);

        var run = await h.Client.StartAsync(parent, "parent-1", "hi");

        Assert.That(await h.Result(run), Is.EqualTo("parent got: child saw hi!"));
    }

    [Test]
    public async Task Continue_as_new_closes_the_run_and_the_client_can_follow_to_the_new_one()
    {
        await using var h = new Harness();
        var counter = Harness.Workflow("Counter");
        await h.StartWorkflowWorker([Harness.Handler(counter, (_, input) =>
        {
            int n = int.Parse(input!, CultureInfo.InvariantCulture);
            if (n < 3)
                throw Workflow.ContinueAsNew(counter, (n + 1).ToString(CultureInfo.InvariantCulture));
            return Task.FromResult<string?>("reached " + n);
        })]);

        var run = await h.Client.StartAsync(counter, "counter-1", "1");
        var first = Assert.ThrowsAsync<WorkflowContinuedAsNewException>(() => h.Result(run))!;
        var second = Assert.ThrowsAsync<WorkflowContinuedAsNewException>(() => h.Result(first.NewExecution))!;

        Assert.That(await h.Result(second.NewExecution), Is.EqualTo("reached 3"));
        Assert.That(await h.Client.GetResultAsync(run, followContinueAsNew: true), Is.EqualTo("reached 3"));
    }

    [Test]
    public async Task An_activity_with_a_retry_policy_is_retried_until_it_succeeds()
    {
        await using var h = new Harness();
        var flaky = Harness.Activity("Flaky");
        var definition = Harness.Workflow("Retrying");
        int attempts = 0;
        await h.StartWorkflowWorker([Harness.Handler(definition, async (_, _) =>
            await Workflow.ExecuteActivityAsync(flaky, null, new ActivityOptions
            {
                RetryPolicy = new RetryPolicy { MaximumAttempts = 5, InitialInterval = TimeSpan.Zero },
            }))]);
        await h.StartActivityWorker([new(flaky, (_, _) => Interlocked.Increment(ref attempts) < 3
            ? throw new IOException("try again")
            : Task.FromResult<string?>("third time lucky"))]);

        var run = await h.Client.StartAsync(definition, "retrying-1", null);

        Assert.That(await h.Result(run), Is.EqualTo("third time lucky"));
        Assert.That(attempts, Is.EqualTo(3));
        Assert.That((await h.History(run)).Count(e => e.EventType == EventType.ActivityTaskFailed), Is.EqualTo(2));
    }

    [Test]
    public async Task A_retried_activity_sees_its_attempt_and_the_history_replays_unchanged()
    {
        await using var h = new Harness();
        var flaky = Harness.Activity("Flaky");
        var plain = Harness.Activity("Plain");
        var definition = Harness.Workflow("Attempts");
        var handler = Harness.Handler(definition, async (_, _) =>
        {
            var first = await Workflow.ExecuteActivityAsync(flaky, null, new ActivityOptions
            {
                RetryPolicy = new RetryPolicy { MaximumAttempts = 5, InitialInterval = TimeSpan.Zero },
            });
            return first + " then " + await Workflow.ExecuteActivityAsync(plain, null);
        });
        await h.StartWorkflowWorker([handler]);
        var seen = new List<(int Attempt, string Id)>();
        await h.StartActivityWorker(
        [
            new(flaky, (_, context) =>
            {
                lock (seen) seen.Add((context.Attempt, context.ActivityId));
                return context.Attempt < 3 ? throw new IOException("try again") : Task.FromResult<string?>("attempt " + context.Attempt);
            }),
            new(plain, (_, context) => Task.FromResult<string?>($"{context.ActivityId} (attempt {context.Attempt})")),
        ]);

        var run = await h.Client.StartAsync(definition, "attempts-1", null);

        Assert.That(await h.Result(run), Is.EqualTo("attempt 3 then 2 (attempt 1)"));
        Assert.That(seen, Is.EqualTo(new[] { (1, "1"), (2, "1#2"), (3, "1#3") }));
        // The closed history, replayed from scratch by a new executor, matches every recorded decision.
        var history = await h.History(run);
        var replayed = new Flow.Workflows.WorkflowExecutor(Harness.Domain, handler).ProcessDecisionTask(new DecisionTask
        {
            TaskToken = "replay", StartedEventId = 0, WorkflowExecution = run, WorkflowType = definition.ToWorkflowType(), Events = history,
        });
        Assert.That(replayed.Decisions, Is.Empty);
        Assert.That(history.Where(e => e.EventType == EventType.ActivityTaskScheduled).Select(e => e.ActivityTaskScheduledEventAttributes!.ActivityId),
            Is.EqualTo(new[] { "1", "1#2", "1#3", "2" }));
    }
}
