using System.Diagnostics;
using System.Diagnostics.Metrics;
using Flow.Local;
using Flow.Swf;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Flow.Hosting.Tests;

/// <summary>An activity implementation with a scoped dependency, as an application writes it.</summary>
public sealed class Greeter(GreetingScope scope)
{
    public Task<string?> GreetAsync(string? name) => Task.FromResult<string?>($"{scope.Prefix} {name} (scope {scope.Id})");
}

public sealed class GreetingScope : IDisposable
{
    private static int s_next;
    public static int Disposed;
    public int Id { get; } = Interlocked.Increment(ref s_next);
    public string Prefix => "Hello";
    public void Dispose() => Interlocked.Increment(ref Disposed);
}

[TestFixture]
[NonParallelizable]
public class HostingTests
{
    private const string Domain = "hosting-tests";
    private static readonly ActivityDefinition Greet = new("Greeter.Greet", "1")
    {
        DefaultTaskList = "greetings",
        DefaultScheduleToStartTimeout = "NONE",
        DefaultStartToCloseTimeout = "60",
        DefaultScheduleToCloseTimeout = "NONE",
        DefaultHeartbeatTimeout = "NONE",
    };
    private static readonly WorkflowDefinition Greeting = new("Greeting.Run", "1")
    {
        DefaultTaskList = "greeting-decisions",
        DefaultExecutionStartToCloseTimeout = "600",
        DefaultTaskStartToCloseTimeout = "30",
        DefaultChildPolicy = ChildPolicy.Terminate,
    };

    // What a generated dispatch table does for the contract: decode, call the implementation for this task, encode.
    private static IEnumerable<ActivityHandler> GreeterDispatch(Func<ActivityExecutionContext, Greeter> implementation) =>
        [new(Greet, (input, context) => implementation(context).GreetAsync(input))];

    private sealed class GreetingWorkflow : IWorkflowInstance
    {
        public async Task<string?> ExecuteAsync(string? input)
        {
            var first = await Workflow.ExecuteActivityAsync(Greet, input);
            var second = await Workflow.ExecuteActivityAsync(Greet, input);
            return first + " / " + second;
        }

        public Task? HandleSignal(string signalName, string? input) => null;
        public string? GetState() => null;
    }

    private static IHost Build(LocalSwf engine, Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddScoped<GreetingScope>();
        builder.Services.AddFlow(builder.Configuration)
            .UseSwfClient(engine.Client)
            .AddWorkflow(new WorkflowHandler(Greeting, () => new GreetingWorkflow()))
            .AddActivities<Greeter>(GreeterDispatch);
        return builder.Build();
    }

    private static Dictionary<string, string?> Settings() => new()
    {
        ["Flow:Domain"] = Domain,
        ["Flow:RegisterDomain"] = "true",
        ["Flow:DomainRetentionDays"] = "3",
        ["Flow:Activities:Pollers"] = "1",
        ["Flow:Activities:MaxConcurrentTasks"] = "4",
        ["Flow:Workflows:DecisionCacheSize"] = "50",
        ["Flow:Workflows:ShutdownTimeout"] = "00:00:05",
    };

    [Test]
    public async Task A_hosted_worker_runs_a_workflow_with_activities_created_per_task_in_their_own_scope()
    {
        using var engine = new LocalSwf();
        using var host = Build(engine, Settings());
        await host.StartAsync();
        int disposedBefore = GreetingScope.Disposed;

        var client = host.Services.GetRequiredService<WorkflowClient>();
        var run = await client.StartAsync(Greeting, "hosted-1", "Ada");
        string? result = await client.GetResultAsync(run).WaitAsync(TimeSpan.FromSeconds(20));
        await host.StopAsync();

        var parts = result!.Split(" / ");
        Assert.That(parts[0], Does.StartWith("Hello Ada (scope "));
        Assert.That(parts[1], Does.StartWith("Hello Ada (scope "));
        Assert.That(parts[0], Is.Not.EqualTo(parts[1]), "each task gets its own scope");
        Assert.That(GreetingScope.Disposed - disposedBefore, Is.EqualTo(2));
    }

    [Test]
    public void Options_come_from_the_flow_configuration_section()
    {
        using var engine = new LocalSwf();
        using var host = Build(engine, Settings());

        var options = host.Services.GetRequiredService<IOptions<FlowOptions>>().Value;

        Assert.That(options.Domain, Is.EqualTo(Domain));
        Assert.That(options.RegisterDomain, Is.True);
        Assert.That(options.DomainRetentionDays, Is.EqualTo(3));
        Assert.That(options.Activities.MaxConcurrentTasks, Is.EqualTo(4));
        Assert.That(options.Workflows.DecisionCacheSize, Is.EqualTo(50));
        Assert.That(options.Workflows.ShutdownTimeout, Is.EqualTo(TimeSpan.FromSeconds(5)));
    }

    [Test]
    public async Task Starting_the_host_registers_the_domain_and_types()
    {
        using var engine = new LocalSwf();
        using var host = Build(engine, Settings());
        await host.StartAsync();
        await host.StopAsync();

        var swf = engine.Client;
        var domain = await swf.DescribeDomainAsync(new DescribeDomainInput { Name = Domain });
        var activity = await swf.DescribeActivityTypeAsync(new DescribeActivityTypeInput { Domain = Domain, ActivityType = Greet.ToActivityType() });
        var workflow = await swf.DescribeWorkflowTypeAsync(new DescribeWorkflowTypeInput { Domain = Domain, WorkflowType = Greeting.ToWorkflowType() });
        Assert.That(domain.Configuration.WorkflowExecutionRetentionPeriodInDays, Is.EqualTo("3"));
        Assert.That(activity.Configuration.DefaultTaskStartToCloseTimeout, Is.EqualTo("60"));
        Assert.That(workflow.Configuration.DefaultTaskList!.Name, Is.EqualTo("greeting-decisions"));
    }

    [Test]
    public void Without_an_swf_client_the_host_fails_to_start_with_a_clear_message()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddFlow(o => o.Domain = Domain).AddActivities([new ActivityHandler(Greet, (_, _) => Task.FromResult<string?>(null))]);
        using var host = builder.Build();

        var ex = Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());
        Assert.That(ex!.Message, Does.Contain("UseSwfClient"));
    }

    [Test]
    public async Task Handlers_on_several_task_lists_get_a_worker_each_with_per_list_pollers_and_capacity()
    {
        var upper = Greet with { Name = "Text.Upper", DefaultTaskList = "text-upper" };
        var exclaim = Greet with { Name = "Text.Exclaim", DefaultTaskList = "text-exclaim" };
        var shout = Greeting with { Name = "Text.Shout", DefaultTaskList = "text-decisions" };
        using var engine = new LocalSwf();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Flow:Domain"] = Domain,
            ["Flow:RegisterDomain"] = "true",
            ["Flow:Activities:Pollers"] = "1",
            ["Flow:Activities:TaskLists:text-upper:Pollers"] = "3",
            ["Flow:Activities:TaskLists:text-upper:MaxConcurrentTasks"] = "7",
        });
        builder.Services.AddFlow(builder.Configuration)
            .UseSwfClient(engine.Client)
            .AddWorkflow(new WorkflowHandler(Greeting, () => new GreetingWorkflow()))
            .AddWorkflow(new WorkflowHandler(shout, () => new ShoutWorkflow(upper, exclaim)))
            .AddActivities([new ActivityHandler(Greet, (input, _) => Task.FromResult<string?>("Hello " + input)),
                new ActivityHandler(upper, (input, _) => Task.FromResult(input?.ToUpperInvariant())),
                new ActivityHandler(exclaim, (input, _) => Task.FromResult<string?>(input + "!"))]);
        using var host = builder.Build();
        await host.StartAsync();
        var service = host.Services.GetServices<IHostedService>().OfType<FlowWorkersService>().Single();
        var client = host.Services.GetRequiredService<WorkflowClient>();

        string? shouted = await client.GetResultAsync(await client.StartAsync(shout, "shout-1", "hey")).WaitAsync(TimeSpan.FromSeconds(20));
        string? greeted = await client.GetResultAsync(await client.StartAsync(Greeting, "greet-1", "Ann")).WaitAsync(TimeSpan.FromSeconds(20));
        await host.StopAsync();

        Assert.That(shouted, Is.EqualTo("HEY!"));
        Assert.That(greeted, Is.EqualTo("Hello Ann / Hello Ann"));
        Assert.That(service.WorkflowWorkers.Select(w => w.TaskList), Is.EquivalentTo(new[] { "greeting-decisions", "text-decisions" }));
        var byList = service.ActivityWorkers.ToDictionary(w => w.TaskList);
        Assert.That(byList.Keys, Is.EquivalentTo(new[] { "greetings", "text-upper", "text-exclaim" }));
        Assert.That((byList["text-upper"].Pollers, byList["text-upper"].MaxConcurrentTasks), Is.EqualTo((3, 7)));
        Assert.That((byList["text-exclaim"].Pollers, byList["text-exclaim"].MaxConcurrentTasks), Is.EqualTo((1, new ActivityWorkerOptions().MaxConcurrentTasks)));
    }

    [Test]
    public void A_definition_without_a_task_list_stops_the_host_naming_it()
    {
        using var engine = new LocalSwf();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddFlow(o => o.Domain = Domain).UseSwfClient(engine.Client)
            .AddActivities([new ActivityHandler(Greet with { Name = "Listless", DefaultTaskList = null }, (_, _) => Task.FromResult<string?>(null))]);
        using var host = builder.Build();

        var ex = Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());
        Assert.That(ex!.Message, Does.Contain("activity type Listless 1").And.Contain("Flow:Activities:TaskList"));
    }

    private sealed class ShoutWorkflow(ActivityDefinition upper, ActivityDefinition exclaim) : IWorkflowInstance
    {
        public async Task<string?> ExecuteAsync(string? input) =>
            await Workflow.ExecuteActivityAsync(exclaim, await Workflow.ExecuteActivityAsync(upper, input));

        public Task? HandleSignal(string signalName, string? input) => null;
        public string? GetState() => null;
    }

    [Test]
    public async Task Workers_publish_traces_and_metrics_named_flow()
    {
        var instruments = new HashSet<string>();
        using var meters = new MeterListener();
        meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == FlowDiagnostics.Name)
                listener.EnableMeasurementEvents(instrument);
        };
        meters.SetMeasurementEventCallback<double>((instrument, _, _, _) => { lock (instruments) instruments.Add(instrument.Name); });
        meters.SetMeasurementEventCallback<long>((instrument, _, _, _) => { lock (instruments) instruments.Add(instrument.Name); });
        meters.Start();
        var spans = new List<string>();
        using var traces = new ActivityListener
        {
            ShouldListenTo = source => source.Name == FlowDiagnostics.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = activity => { lock (spans) spans.Add(activity.DisplayName); },
        };
        ActivitySource.AddActivityListener(traces);

        using var engine = new LocalSwf();
        using var host = Build(engine, Settings());
        await host.StartAsync();
        var client = host.Services.GetRequiredService<WorkflowClient>();
        await client.GetResultAsync(await client.StartAsync(Greeting, "observed-1", "Bo")).WaitAsync(TimeSpan.FromSeconds(20));
        await host.StopAsync();

        lock (instruments)
            Assert.That(instruments, Is.SupersetOf(new[] { "flow.poll.duration", "flow.task.duration", "flow.decision_cache.hits", "flow.decision_cache.misses" }));
        lock (spans)
            Assert.That(spans, Does.Contain("activity Greeter.Greet").And.Contain("decision Greeting.Run"));
    }
}
