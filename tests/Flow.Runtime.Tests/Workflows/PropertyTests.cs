using System.Text;
using Flow.Swf;
using Flow.Workflows;

namespace Flow.Runtime.Tests.Workflows;

/// <summary>
/// Randomly generated workflows run to completion on the simulator; then their final history replays from scratch,
/// and each intermediate decision point replays from scratch to exactly the decisions that were sent.
/// </summary>
public class PropertyTests
{
    private enum Step { Activity, Timer, FanOut, Child, WaitSignal, SideEffect, Marker, Version, RaceActivityWithTimer, SignalOther, CancelChild, BigFanOut, RetriedActivity, RetriedChild }

    /// <summary>A random program; every instance made from it runs the same code.</summary>
    private sealed class RandomWorkflow
    {
        private readonly (Step Kind, int Arg)[] _steps;
        public int Waits { get; }
        public int RetriedCalls { get; }

        public RandomWorkflow(int seed)
        {
            var rng = new Random(seed);
            _steps = [.. Enumerable.Range(0, rng.Next(1, 12)).Select(_ => ((Step)rng.Next(14), rng.Next(1, 6)))];
            // Past-100 fan-outs make every replay long: keep them to a few seeds so the suite stays fast.
            if (seed % 10 != 0)
                _steps = [.. _steps.Select(s => s.Kind == Step.BigFanOut ? (Step.FanOut, s.Arg) : s)];
            Waits = _steps.Count(s => s.Kind == Step.WaitSignal);
            RetriedCalls = _steps.Count(s => s.Kind is Step.RetriedActivity or Step.RetriedChild);
        }

        public IWorkflowInstance Create()
        {
            var received = 0;
            var log = new StringBuilder();
            var workflow = new TestWorkflow(async _ =>
            {
                var waitsSoFar = 0;
                var index = 0;
                foreach (var (kind, arg) in _steps)
                {
                    index++;
                    switch (kind)
                    {
                        case Step.Activity:
                            log.Append(await Safe(Workflow.ExecuteActivityAsync(Defs.Act, $"{arg}"))).Append(';');
                            break;
                        case Step.Timer:
                            await Workflow.DelayAsync(TimeSpan.FromSeconds(arg * 10));
                            log.Append("timer;");
                            break;
                        case Step.FanOut:
                        {
                            var tasks = Enumerable.Range(0, arg).Select(i => Safe(Workflow.ExecuteActivityAsync(i % 2 == 0 ? Defs.Act : Defs.Other, $"{i}"))).ToList();
                            log.Append(string.Join(",", await Task.WhenAll(tasks))).Append(';');
                            break;
                        }
                        case Step.BigFanOut:
                        {
                            // Past SWF's 100 decisions per response: the engine cuts at 99 and a zero-second timer.
                            var tasks = Enumerable.Range(0, 100 + 3 * arg).Select(i => Safe(Workflow.ExecuteActivityAsync(Defs.Act, $"{i}"))).ToList();
                            log.Append((await Task.WhenAll(tasks)).Length).Append(';');
                            break;
                        }
                        case Step.Child:
                            log.Append(await Safe(Workflow.ExecuteChildWorkflowAsync(Defs.Child, $"{arg}"))).Append(';');
                            break;
                        case Step.WaitSignal:
                        {
                            var target = ++waitsSoFar;
                            var ok = await Workflow.WaitConditionAsync(() => received >= target, arg % 2 == 0 ? TimeSpan.FromSeconds(arg * 100) : null);
                            log.Append(ok ? "signal;" : "no signal;");
                            break;
                        }
                        case Step.SideEffect:
                            log.Append(await Workflow.SideEffectAsync(() => $"effect{arg}")).Append(';');
                            break;
                        case Step.Marker:
                            Workflow.RecordMarker("m" + arg, Workflow.Random.Next(100).ToString());
                            break;
                        case Step.Version:
                            log.Append(Workflow.GetVersion("change" + arg, Workflow.DefaultVersion, 2)).Append(';');
                            break;
                        case Step.RaceActivityWithTimer:
                        {
                            using var cts = new CancellationTokenSource();
                            var activity = Safe(Workflow.ExecuteActivityAsync(Defs.Act, "race", new ActivityOptions { CancellationToken = cts.Token }));
                            var timer = Workflow.DelayAsync(TimeSpan.FromSeconds(arg), cts.Token);
                            var first = await Task.WhenAny(activity, timer);
                            cts.Cancel();
                            log.Append(first == activity ? await activity : "timer won").Append(';');
                            break;
                        }
                        case Step.SignalOther:
                            try
                            {
                                await Workflow.SignalExternalWorkflowAsync("other", null, "hello", $"{arg}");
                                log.Append("signalled;");
                            }
                            catch (SignalExternalWorkflowFailedException)
                            {
                                log.Append("signal failed;");
                            }
                            break;
                        case Step.RetriedActivity:
                            // Failures and timeouts are retried after durable timers (the simulator fails some attempts); some
                            // calls name their activity id, whose attempts get "#2", "#3", ... too.
                            log.Append(await Safe(Workflow.ExecuteActivityAsync(Defs.Act, "retried",
                                new ActivityOptions { RetryPolicy = Retry(arg), ActivityId = arg % 2 == 0 ? $"named{index}" : null }))).Append(';');
                            break;
                        case Step.RetriedChild:
                            log.Append(await Safe(Workflow.ExecuteChildWorkflowAsync(Defs.Child, "retried", new ChildWorkflowOptions { RetryPolicy = Retry(arg) }))).Append(';');
                            break;
                        case Step.CancelChild:
                        {
                            using var cts = new CancellationTokenSource();
                            var child = Safe(Workflow.ExecuteChildWorkflowAsync(Defs.Child, "c", new ChildWorkflowOptions { CancellationToken = cts.Token }));
                            await Workflow.DelayAsync(TimeSpan.FromSeconds(arg));
                            cts.Cancel();
                            log.Append(await child).Append(';');
                            break;
                        }
                    }
                }
                return log.ToString();
            });
            workflow.Signals["go"] = _ =>
            {
                received++;
                return Task.CompletedTask;
            };
            workflow.Signals["work"] = async input =>
            {
                log.Append("work:").Append(await Safe(Workflow.ExecuteActivityAsync(Defs.Other, input))).Append(';');
            };
            workflow.State = () => $"{{\"received\":{received}}}";
            return workflow;
        }

        private static RetryPolicy Retry(int arg) => new()
        {
            MaximumAttempts = 1 + arg, InitialInterval = TimeSpan.FromSeconds(arg), BackoffCoefficient = 1.5, MaximumInterval = TimeSpan.FromSeconds(4),
        };

        private static async Task<string> Safe(Task<string?> task)
        {
            try
            {
                return await task ?? "null";
            }
            catch (ActivityFailedException e)
            {
                return "failed " + e.ErrorMessage;
            }
            catch (ActivityTimedOutException)
            {
                return "timed out";
            }
            catch (ChildWorkflowFailedException e)
            {
                return "child failed " + e.Reason;
            }
            catch (OperationCanceledException)
            {
                return "canceled";
            }
        }
    }

    private static WorkflowExecutor Executor(RandomWorkflow program) => new("domain", new WorkflowHandler(Defs.Test, program.Create));

    [TestCaseSource(nameof(Seeds))]
    public void A_random_workflow_replays_to_the_same_decisions_from_scratch_and_from_every_decision_point(int seed)
    {
        var program = new RandomWorkflow(seed);
        // Every other seed loses some answers (DecisionTaskTimedOut): their news merge into the next decision.
        var simulator = new SwfSimulator(seed, program.Waits, seed % 3 == 0 ? ["work", "unknown", "work"] : [], decisionTimeouts: seed % 2 == 0 ? 3 : 0);

        simulator.Run(Executor(program));

        Assert.That(simulator.CloseEvent, Is.EqualTo(EventType.WorkflowExecutionCompleted));
        var history = simulator.History;

        // Every attempt of every call has an id of its own.
        Assert.That(history.Events.Select(e => e.ActivityTaskScheduledEventAttributes?.ActivityId).OfType<string>(), Is.Unique, "activity ids");
        Assert.That(history.Events.Select(e => e.StartChildWorkflowExecutionInitiatedEventAttributes?.WorkflowId).OfType<string>(), Is.Unique, "child workflow ids");
        Assert.That(history.Events.Select(e => e.TimerStartedEventAttributes?.TimerId).OfType<string>().Where(id => id != WorkflowContext.ContinueTimerId),
            Is.Unique, "timer ids");

        // The closed history replays without a single disagreement.
        var fromScratch = Executor(program).ProcessDecisionTask(history.Task(startedId: 0) is var t ? All(t, history) : null!);
        Assert.That(fromScratch.Decisions, Is.Empty);

        // Every decision point, replayed from scratch, gives what was sent.
        foreach (var (startedId, response) in simulator.Responses)
        {
            var replayed = Executor(program).ProcessDecisionTask(history.Task(startedId));
            Assert.That(Defs.Json(replayed.Decisions, replayed.ExecutionContext), Is.EqualTo(response), $"seed {seed}, decision task started at {startedId}");
        }
    }

    [Test]
    public void A_run_with_a_new_executor_for_every_decision_makes_the_same_history_as_a_cached_executor()
    {
        for (var seed = 1000; seed < 1020; seed++)
        {
            var program = new RandomWorkflow(seed);
            var cached = new SwfSimulator(seed, program.Waits);
            cached.Run(Executor(program));
            var uncached = new SwfSimulator(seed, program.Waits);
            uncached.Run(Executor(program), incremental: false);

            Assert.That(uncached.Responses, Is.EqualTo(cached.Responses), $"seed {seed}");
        }
    }

    [Test]
    public void The_random_runs_include_lost_decisions_and_retried_attempts()
    {
        int lost = 0, calls = 0, attempts = 0;
        foreach (var seed in Seeds().Where(s => s % 2 == 0))
        {
            var program = new RandomWorkflow(seed);
            var simulator = new SwfSimulator(seed, program.Waits, seed % 3 == 0 ? ["work", "unknown", "work"] : [], decisionTimeouts: 3);
            simulator.Run(Executor(program));
            lost += simulator.TimedOut;
            calls += program.RetriedCalls;
            attempts += simulator.History.Events.Count(e =>
                e.ActivityTaskScheduledEventAttributes?.Input == "retried" || e.StartChildWorkflowExecutionInitiatedEventAttributes?.Input == "retried");
        }

        // Enough of both for the property to mean something.
        Assert.That(lost, Is.GreaterThan(20), "DecisionTaskTimedOut events");
        Assert.That(attempts - calls, Is.GreaterThan(calls / 2), $"attempts after the first ({calls} retried calls)");
    }

    private static DecisionTask All(DecisionTask task, HistoryBuilder history)
    {
        task.Events = [.. history.Events];
        return task;
    }

    private static IEnumerable<int> Seeds() => Enumerable.Range(1, 150);
}
