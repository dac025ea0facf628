using Flow.Runtime.Tests.Swf.Support;
using Flow.Swf;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Flow.Hosting.Tests.Http;

/// <summary><c>UseSwf()</c>: the wire client from the Flow:Swf configuration, talking to flow dev over HTTP.</summary>
[TestFixture]
public class UseSwfTests
{
    private static readonly ActivityDefinition Echo = new("Configured.Echo", "1")
    {
        DefaultTaskList = "configured-activities",
        DefaultScheduleToStartTimeout = "NONE",
        DefaultStartToCloseTimeout = "60",
        DefaultScheduleToCloseTimeout = "NONE",
        DefaultHeartbeatTimeout = "NONE",
    };

    private static readonly WorkflowDefinition Run = new("Configured.Run", "1")
    {
        DefaultTaskList = "configured-decisions",
        DefaultExecutionStartToCloseTimeout = "600",
        DefaultTaskStartToCloseTimeout = "30",
        DefaultChildPolicy = ChildPolicy.Terminate,
    };

    private sealed class EchoWorkflow : IWorkflowInstance
    {
        public async Task<string?> ExecuteAsync(string? input) => await Workflow.ExecuteActivityAsync(Echo, input);
        public Task? HandleSignal(string signalName, string? input) => null;
        public string? GetState() => null;
    }

    private static IHost Build(string serviceUrl, string domain)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Flow:Domain"] = domain,
            ["Flow:RegisterDomain"] = "true",
            ["Flow:Swf:Region"] = "eu-west-1",
            ["Flow:Swf:ServiceUrl"] = serviceUrl,
            ["Flow:Swf:MaxAttempts"] = "3",
        });
        builder.Services.AddFlow(builder.Configuration)
            .UseSwf(o => o with { Credentials = TestClients.Dummy })
            .AddWorkflow(new WorkflowHandler(Run, () => new EchoWorkflow()))
            .AddActivities([new ActivityHandler(Echo, (input, _) => Task.FromResult(input))]);
        return builder.Build();
    }

    [Test]
    public async Task The_client_comes_from_the_flow_swf_section_and_runs_workflows()
    {
        string domain = "configured-" + Guid.NewGuid().ToString("N")[..8];
        using var host = Build(FlowDev.Url.ToString(), domain);
        await host.StartAsync();
        try
        {
            var swf = (SwfClient)host.Services.GetRequiredService<ISwfClient>();
            Assert.That(swf.ServiceUrl, Is.EqualTo(FlowDev.Url));
            var client = host.Services.GetRequiredService<WorkflowClient>();

            Assert.That(await client.GetResultAsync(await client.StartAsync(Run, "configured-1", "ping")).WaitAsync(TimeSpan.FromSeconds(30)),
                Is.EqualTo("ping"));
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Test]
    public void A_service_url_that_is_not_a_url_is_a_clear_startup_error()
    {
        using var host = Build("127.0.0.1 port 8600", "unused");

        var ex = Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());
        Assert.That(ex!.Message, Does.Contain("Flow:Swf:ServiceUrl").And.Contain("not an absolute URL"));
    }
}
