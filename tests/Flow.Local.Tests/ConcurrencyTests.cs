using Flow.Swf;
using static Flow.Local.Tests.Harness;

namespace Flow.Local.Tests;

public class ConcurrencyTests
{
    [TestCase(false)]
    [TestCase(true)]
    public async Task Many_workflows_run_to_completion_with_concurrent_deciders_and_workers(bool sqlite)
    {
        var path = sqlite ? Path.Combine(Path.GetTempPath(), $"flow-local-{Guid.NewGuid():N}.db") : null;
        try
        {
            using var h = new Harness(path);
            const int workflows = 100;
            using var stop = new CancellationTokenSource();
            var completed = 0;
            var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

            async Task Decider()
            {
                while (!stop.IsCancellationRequested)
                {
                    DecisionTask task;
                    try
                    {
                        task = await h.Swf.PollForDecisionTaskAsync(new PollForDecisionTaskInput { Domain = Domain, TaskList = new TaskList { Name = Decisions } }, stop.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                    var done = task.Events.Count(e => e.EventType == EventType.ActivityTaskCompleted);
                    var decision = done < 3 ? ScheduleActivity($"a{done}", configure: a => a.Input = task.WorkflowExecution.WorkflowId) : Complete();
                    await h.Swf.RespondDecisionTaskCompletedAsync(new RespondDecisionTaskCompletedInput { TaskToken = task.TaskToken, Decisions = [decision] });
                    if (done == 3 && Interlocked.Increment(ref completed) == workflows)
                        all.TrySetResult();
                }
            }

            async Task Worker()
            {
                while (!stop.IsCancellationRequested)
                {
                    ActivityTask task;
                    try
                    {
                        task = await h.Swf.PollForActivityTaskAsync(new PollForActivityTaskInput { Domain = Domain, TaskList = new TaskList { Name = Activities } }, stop.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                    await h.Swf.RespondActivityTaskCompletedAsync(new RespondActivityTaskCompletedInput { TaskToken = task.TaskToken, Result = task.Input });
                }
            }

            var loops = Enumerable.Range(0, 4).Select(_ => Task.Run(Decider)).Concat(Enumerable.Range(0, 4).Select(_ => Task.Run(Worker))).ToList();
            await Task.WhenAll(Enumerable.Range(0, workflows).Select(i => Task.Run(() => h.Start($"wf-{i}"))));
            await all.Task.WaitAsync(TimeSpan.FromSeconds(60));
            stop.Cancel();
            await Task.WhenAll(loops).WaitAsync(TimeSpan.FromSeconds(10));

            var closed = Run(h.Swf.CountClosedWorkflowExecutionsAsync(new CountClosedWorkflowExecutionsInput
            {
                Domain = Domain, StartTimeFilter = new ExecutionTimeFilter { OldestDate = DateTimeOffset.UnixEpoch },
                CloseStatusFilter = new CloseStatusFilter { Status = CloseStatus.Completed },
            }));
            Assert.That(closed.Count, Is.EqualTo(workflows));
            var sample = Run(h.Swf.ListClosedWorkflowExecutionsAsync(new ListClosedWorkflowExecutionsInput
            {
                Domain = Domain, StartTimeFilter = new ExecutionTimeFilter { OldestDate = DateTimeOffset.UnixEpoch }, MaximumPageSize = 1,
            })).ExecutionInfos.Single().Execution;
            Assert.That(h.History(sample), Has.Count.EqualTo(23), "3 activities: started, 4 decisions, 3 x (scheduled, started, completed), completed");
        }
        finally
        {
            if (path is not null)
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                foreach (var f in new[] { path, path + "-wal", path + "-shm" })
                    File.Delete(f);
            }
        }
    }
}
