using System.Collections.Concurrent;
using System.Net;
using Flow.Swf;

namespace Flow.Runtime.Tests.Workers;

[TestFixture]
public class FaultTests
{
    [Test]
    public async Task Under_20_percent_faults_200_workflows_all_complete_and_no_activity_runs_twice()
    {
        await using var h = new Harness();
        var step = Harness.Activity("Step");
        var definition = Harness.Workflow("Faulty");
        var runs = new ConcurrentDictionary<string, int>();
        var random = new Random(7);
        Exception? Pick()
        {
            lock (random)
            {
                double roll = random.NextDouble();
                return roll switch
                {
                    < 0.07 => SwfProbe.Throttled(),
                    < 0.14 => new SwfException("InternalFailure", "boom", HttpStatusCode.InternalServerError, "test"),
                    < 0.20 => new HttpRequestException("connection reset"),
                    _ => null,
                };
            }
        }
        // Faults before the call (the service never saw it) on everything the workers and the client's waits send;
        // answers lost after the service acted only on responses, which SWF makes safe to repeat.
        h.Probe.Fault = (operation, _) => operation is "StartWorkflowExecution" ? null : Pick();
        h.Probe.LostAnswer = (operation, _) => operation.StartsWith("Respond", StringComparison.Ordinal) ? Pick() : null;

        await h.StartWorkflowWorker([Harness.Handler(definition, async (_, input) =>
        {
            var a = await Workflow.ExecuteActivityAsync(step, input + "-a");
            var b = await Workflow.ExecuteActivityAsync(step, input + "-b");
            return a + b;
        })], o => o with { Pollers = 2, MaxConcurrentTasks = 8, MaxRespondAttempts = 20 });
        await h.StartActivityWorker([new(step, (input, context) =>
        {
            runs.AddOrUpdate(context.WorkflowExecution.WorkflowId + "/" + context.ActivityId, 1, (_, n) => n + 1);
            return Task.FromResult(input);
        })], o => o with { Pollers = 2, MaxConcurrentTasks = 16, MaxRespondAttempts = 20 });

        var started = new List<WorkflowExecution>();
        for (int i = 0; i < 200; i++)
            started.Add(await h.Client.StartAsync(definition, $"faulty-{i}", i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var results = await Task.WhenAll(started.Select(run => h.Client.GetResultAsync(run))).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.That(results, Is.EqualTo(Enumerable.Range(0, 200).Select(i => $"{i}-a{i}-b")));
        Assert.That(runs, Has.Count.EqualTo(400));
        Assert.That(runs.Values, Is.All.EqualTo(1));
    }

    [Test]
    public async Task A_workflow_that_asks_for_more_open_activities_than_SWF_allows_waits_for_room_and_completes()
    {
        await using var h = new Harness();
        var step = Harness.Activity("Held");
        var definition = Harness.Workflow("Wide");
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        const int width = 1001; // SWF keeps at most 1,000 activities open per run
        await h.StartWorkflowWorker([Harness.Handler(definition, async (_, _) =>
        {
            var results = await Task.WhenAll(Enumerable.Range(0, width).Select(_ => Workflow.ExecuteActivityAsync(step, null)));
            return results.Length.ToString(System.Globalization.CultureInfo.InvariantCulture);
        })]);
        await h.StartActivityWorker([new(step, async (_, _) =>
        {
            await release.Task;
            return "ok";
        })], o => o with { MaxConcurrentTasks = width });

        var run = await h.Client.StartAsync(definition, "wide-1", null);
        var refused = await h.WhenEvent(run, EventType.ScheduleActivityTaskFailed);
        await h.WhenHistory(run, events => events.Any(e => e.TimerStartedEventAttributes?.TimerId.StartsWith("_flow_backoff_", StringComparison.Ordinal) == true));
        release.SetResult();
        await h.WhenHistory(run, events => events.Count(e => e.EventType == EventType.ActivityTaskCompleted) == width - 1);
        var result = h.Client.GetResultAsync(run);
        while (!result.IsCompleted)
        {
            // Fires the backoff timer; the activity it sends again may be refused again while SWF catches up.
            var decided = h.Probe.WhenCalled("RespondDecisionTaskCompleted");
            h.Time.Advance(TimeSpan.FromMinutes(1));
            await Task.WhenAny(result, decided).WaitAsync(TimeSpan.FromSeconds(20));
        }

        Assert.That(refused.ScheduleActivityTaskFailedEventAttributes!.Cause, Is.EqualTo(ScheduleActivityTaskFailedCause.OpenActivitiesLimitExceeded));
        Assert.That(await result, Is.EqualTo("1001"));
        var history = await h.History(run);
        Assert.That(history.Count(e => e.EventType == EventType.ActivityTaskCompleted), Is.EqualTo(width));
    }
}
