using FileProcessing;
using Flow.Testing;

namespace Flow.Samples.Tests;

/// <summary>The sample's activities against the race with the workflow's cleanup: when a run is cancelled, the workflow
/// deletes the working folder at once, while the activity in flight may still be writing there until it hears of the
/// cancel, or may not even have created the folder yet.</summary>
[Parallelizable(ParallelScope.All)]
public sealed class FileActivitiesTests
{
    private static string Input => Repository.Path_("samples", "FileProcessing", "input", "durable-workflows.txt");

    [Test]
    public void A_download_that_learns_at_its_last_heartbeat_that_its_run_was_cancelled_removes_the_file_and_the_folder_it_created()
    {
        using var folder = new TempFolder();
        var work = folder["work"]; // the workflow's cleanup ran already: no folder
        using var http = new HttpClient();
        // The first heartbeat is the activity's start; the second, after the copy, answers that the run was cancelled.
        using var context = new ActivityTestContext { CancelAfterHeartbeats = 2 };

        Assert.ThrowsAsync(Is.InstanceOf<OperationCanceledException>(),
            () => ActivityTestHelper.RunAsync(context, _ => new FileActivities(http).DownloadAsync(Input, work)));

        Assert.That(Directory.Exists(work), Is.False);
    }

    [Test]
    public void A_processing_step_cancelled_at_its_last_heartbeat_removes_its_own_files_and_leaves_the_download_to_the_cleanup()
    {
        using var folder = new TempFolder();
        var work = folder["work"];
        Directory.CreateDirectory(work);
        var downloaded = Path.Combine(work, "input.txt");
        File.Copy(Input, downloaded);
        using var http = new HttpClient();
        using var context = new ActivityTestContext { CancelAfterHeartbeats = 2 };

        Assert.ThrowsAsync(Is.InstanceOf<OperationCanceledException>(),
            () => ActivityTestHelper.RunAsync(context, _ => new FileActivities(http).ProcessAsync(downloaded, work)));

        Assert.That(Directory.GetFiles(work).Select(Path.GetFileName), Is.EqualTo(new[] { "input.txt" }));
    }

    [Test]
    public async Task A_download_heartbeats_its_progress_and_a_last_time_after_its_last_write()
    {
        using var folder = new TempFolder();
        using var http = new HttpClient();
        using var context = new ActivityTestContext();
        var length = new FileInfo(Input).Length;

        var downloaded = await ActivityTestHelper.RunAsync(context, _ => new FileActivities(http).DownloadAsync(Input, folder["work"]));

        Assert.That(downloaded.Bytes, Is.EqualTo(length));
        Assert.That(context.Heartbeats[0], Is.EqualTo("0 bytes"), "at once, so SWF hears of the activity from its start");
        Assert.That(context.Heartbeats[^1], Is.EqualTo($"{length:N0} bytes"), "the last check, after the copy");
    }
}
