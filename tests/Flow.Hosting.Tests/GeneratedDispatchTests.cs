using System.Collections.Concurrent;
using Flow.Local;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Flow.Hosting.Tests;

[Activities(Version = "1", TaskList = "generated-greetings", ScheduleToStart = "NONE", StartToClose = "00:01:00", ScheduleToClose = "NONE", Heartbeat = "NONE")]
public partial interface IScopedGreeter
{
    Task<string> GreetAsync(string name);
}

[Workflow(Version = "1", TaskList = "generated-greeting-decisions", ExecutionStartToClose = "00:10:00")]
public partial interface IGreetTwice
{
    [Execute]
    Task<string[]> RunAsync(string name);
}

public sealed class GreetTwiceWorkflow : IGreetTwice
{
    private readonly ScopedGreeterClient _greeter = new();

    public async Task<string[]> RunAsync(string name) => [await _greeter.GreetAsync(name), await _greeter.GreetAsync(name)];
}

/// <summary>A service with one instance per activity task: the host's scope for that task.</summary>
public sealed class TaskScope : IDisposable
{
    private static int s_next;

    public int Id { get; } = Interlocked.Increment(ref s_next);

    public bool Disposed { get; private set; }

    public void Dispose() => Disposed = true;
}

/// <summary>What the activities saw, shared across tasks.</summary>
public sealed class SeenScopes
{
    public ConcurrentQueue<TaskScope> Scopes { get; } = new();
}

public sealed class ScopedGreeter(TaskScope scope, SeenScopes seen) : IScopedGreeter
{
    public Task<string> GreetAsync(string name)
    {
        seen.Scopes.Enqueue(scope);
        return Task.FromResult($"Hello {name} (scope {scope.Id})");
    }
}

/// <summary>A generated dispatch table handed to AddActivities as it is: the host creates the implementation by
/// dependency injection for each task, in that task's scope.</summary>
[TestFixture]
[NonParallelizable]
public sealed class GeneratedDispatchTests
{
    [Test]
    public async Task A_generated_dispatch_table_gets_an_implementation_with_scoped_services_for_each_task()
    {
        using var engine = new LocalSwf();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton<SeenScopes>();
        builder.Services.AddScoped<TaskScope>();
        builder.Services.AddFlow(o =>
            {
                o.Domain = "generated-dispatch";
                o.RegisterDomain = true;
            })
            .UseSwfClient(engine.Client)
            .AddWorkflow(GreetTwiceDispatch.CreateHandler(() => new GreetTwiceWorkflow()))
            .AddActivities<ScopedGreeter>(ScopedGreeterDispatch.CreateHandlers);
        using var host = builder.Build();
        await host.StartAsync();

        var run = await new GreetTwiceClient(host.Services.GetRequiredService<WorkflowClient>()).StartAsync("greet-twice-1", "Ada");
        var greetings = await run.GetResultAsync().WaitAsync(TimeSpan.FromSeconds(20));
        await host.StopAsync();

        var scopes = host.Services.GetRequiredService<SeenScopes>().Scopes.ToList();
        Assert.That(scopes, Has.Count.EqualTo(2));
        Assert.That(scopes[0], Is.Not.SameAs(scopes[1]), "each task gets its own scope");
        Assert.That(scopes.Select(s => s.Disposed), Is.All.True, "each task's scope ends with the task");
        Assert.That(greetings, Is.EqualTo(scopes.Select(s => $"Hello Ada (scope {s.Id})").ToArray()));
    }
}
