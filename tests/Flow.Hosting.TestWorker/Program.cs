using System.Globalization;
using Amazon.Runtime;
using Flow;
using Flow.Hosting.TestWorker;
using Flow.Swf;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// Flow.Hosting.TestWorker --endpoint URL --domain NAME --shutdown-timeout SECONDS
// Runs a workflow worker and an activity worker under the generic host until SIGTERM or Ctrl-C (the console lifetime).
string? endpoint = null, domain = null;
double shutdownSeconds = 30;
for (int i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--endpoint": endpoint = args[i + 1]; break;
        case "--domain": domain = args[i + 1]; break;
        case "--shutdown-timeout": shutdownSeconds = double.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
    }
}
if (endpoint is null || domain is null)
{
    Console.Error.WriteLine("usage: Flow.Hosting.TestWorker --endpoint URL --domain NAME [--shutdown-timeout SECONDS]");
    return 2;
}

var builder = Host.CreateApplicationBuilder();
builder.Logging.ClearProviders().AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information);
// The host's own limit stays above the workers', so theirs is the one that shows.
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(shutdownSeconds + 30));
builder.Services.AddFlow(o =>
    {
        o.Domain = domain;
        o.RegisterDomain = true;
        o.Activities.ShutdownTimeout = TimeSpan.FromSeconds(shutdownSeconds);
        o.Activities.MaxConcurrentTasks = 8;
        o.Workflows.ShutdownTimeout = TimeSpan.FromSeconds(shutdownSeconds);
    })
    .UseSwfClient(_ => new SwfClient(new SwfClientOptions
    {
        ServiceUrl = new Uri(endpoint),
        Region = "us-east-1",
        Credentials = new BasicAWSCredentials("flow", "flow"),
    }))
    .AddWorkflow(new WorkflowHandler(HoldTypes.Run, () => new HoldWorkflow()))
    .AddActivities<HoldActivities>(HoldActivities.Dispatch);

using var host = builder.Build();
await host.StartAsync();
Console.WriteLine("ready");
await host.WaitForShutdownAsync();
Console.WriteLine("exited");
return 0;
