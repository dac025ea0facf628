using FileProcessing;
using Flow.Swf;
using NUnit.Framework;
using OrderApproval;

namespace Flow.Testing.Tests;

/// <summary>
/// Histories the samples wrote in the test environment, exported with the client's history export and committed under
/// SampleHistories/, replayed against the samples' code as it is now: an edit that changes a sample's decisions fails here,
/// which a replay of a history the same code has just written cannot show. Regenerate them on purpose only:
/// FLOW_WRITE_SAMPLE_HISTORIES=1 dotnet test tests/Flow.Testing.Tests --filter SavedSampleHistoryTests
/// (see SampleHistories/README.md); the test then warns which files it rewrote.
/// </summary>
public sealed class SavedSampleHistoryTests
{
    private const string WriteVariable = "FLOW_WRITE_SAMPLE_HISTORIES";
    private static readonly string Folder = Flow.Tests.TestRepository.File("tests", "Flow.Testing.Tests", "SampleHistories");
    private static readonly HttpClient Http = new();

    /// <summary>The runs saved, one file each: the FileProcessing sample's two ends and both paths of OrderApproval (whose
    /// approved order also saves its Shipping child).</summary>
    private static readonly string[] Expected =
    [
        "FileProcessing.Run-completed.json",
        "FileProcessing.Run-download-failed.json",
        "OrderApproval.Run-approved.json",
        "OrderApproval.Run-deadline.json",
        "Shipping.Run-approved.json",
    ];

    private static WorkflowReplayer Replayer(Func<IFileProcessing>? fileProcessing = null) => new(
        FileProcessingDispatch.CreateHandler(fileProcessing ?? (() => new FileProcessingWorkflow())),
        OrderApprovalDispatch.CreateHandler(() => new OrderApprovalWorkflow()),
        ShippingDispatch.CreateHandler(() => new ShippingWorkflow()));

    [Test]
    public async Task The_saved_sample_histories_replay_against_the_samples_code()
    {
        if (Environment.GetEnvironmentVariable(WriteVariable) == "1")
        {
            var written = await WriteAsync();
            Assert.Warn($"{WriteVariable}=1: rewrote {string.Join(", ", written)} in {Folder}; review and commit them.");
        }

        var results = Replayer().ReplayFolder(Folder);

        Assert.That(results.Select(r => Path.GetFileName(r.Source)), Is.EquivalentTo(Expected), $"the files of {Folder}");
        Assert.That(results, Has.All.Matches<ReplayResult>(r => r.Succeeded && r.EventCount > 10),
            string.Join("\n", results.Select(r => r.Describe())));
    }

    [Test]
    public void A_sample_whose_decisions_changed_fails_against_its_saved_history()
    {
        var result = Replayer(() => new SampleTests.ReorderedWorkflow()).ReplayJson(
            File.ReadAllText(Path.Combine(Folder, "FileProcessing.Run-completed.json")), source: "FileProcessing.Run-completed.json");

        Assert.That(result.Divergence, Is.Not.Null, result.Describe());
        Assert.That(result.Divergence!.Code, Does.Contain("FileActivities.Process"));
    }

    // ---- regeneration (FLOW_WRITE_SAMPLE_HISTORIES=1)

    private static async Task<List<string>> WriteAsync()
    {
        Directory.CreateDirectory(Folder);
        var written = new List<string>();
        var root = Path.Combine(Path.GetTempPath(), "flow-sample-histories");
        var input = Path.Combine(root, "input", "durable-workflows.txt");
        Directory.CreateDirectory(Path.GetDirectoryName(input)!);
        File.Copy(Flow.Tests.TestRepository.File("samples", "FileProcessing", "input", "durable-workflows.txt"), input, overwrite: true);
        try
        {
            await using (var env = new WorkflowTestEnvironment()
                .AddWorkflow(FileProcessingDispatch.CreateHandler(() => new FileProcessingWorkflow()))
                .AddActivities(FileActivitiesDispatch.CreateHandlers(() => new FileActivities(Http))))
            {
                var client = new FileProcessingClient(env.Client);
                var completed = await client.StartAsync("file-completed", new Job(input, Path.Combine(root, "bucket"), Path.Combine(root, "work")));
                await completed.GetResultAsync();
                written.Add(await SaveAsync(env, completed.Execution, "FileProcessing.Run-completed.json"));
                var failed = await client.StartAsync("file-download-failed",
                    new Job(Path.Combine(root, "input", "missing.txt"), Path.Combine(root, "bucket"), Path.Combine(root, "work-2")));
                Assert.ThrowsAsync<WorkflowFailedException>(() => failed.GetResultAsync());
                written.Add(await SaveAsync(env, failed.Execution, "FileProcessing.Run-download-failed.json"));
            }

            await using (var env = new WorkflowTestEnvironment()
                .AddWorkflow(OrderApprovalDispatch.CreateHandler(() => new OrderApprovalWorkflow()))
                .AddWorkflow(ShippingDispatch.CreateHandler(() => new ShippingWorkflow()))
                .AddActivities(OrderActivitiesDispatch.CreateHandlers(() => new OrderActivities(new Warehouse()))))
            {
                var client = new OrderApprovalClient(env.Client);
                var approved = await client.StartAsync("order-approved", new Order("order-approved", "lamp", 2, "1 Main St", 30 * 60));
                await env.WaitIdleAsync();
                await env.SkipAsync(TimeSpan.FromMinutes(10));
                await approved.ApproveAsync("Ann");
                await approved.GetResultAsync();
                written.Add(await SaveAsync(env, approved.Execution, "OrderApproval.Run-approved.json"));
                var shipping = await env.Client.ListClosedAsync().FirstAsync(i => i.Execution.WorkflowId == "order-approved-shipping");
                written.Add(await SaveAsync(env, shipping.Execution, "Shipping.Run-approved.json"));
                var deadline = await client.StartAsync("order-deadline", new Order("order-deadline", "desk", 1, "2 Side St", 30 * 60));
                await deadline.GetResultAsync();
                written.Add(await SaveAsync(env, deadline.Execution, "OrderApproval.Run-deadline.json"));
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
        return written;
    }

    private static async Task<string> SaveAsync(WorkflowTestEnvironment env, WorkflowExecution execution, string file)
    {
        await File.WriteAllTextAsync(Path.Combine(Folder, file), await env.Client.GetHistoryJsonAsync(execution) + "\n");
        return file;
    }
}
