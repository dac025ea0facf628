using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using FileProcessing;
using Flow.Runtime.Tests.Swf.Support;
using Flow.Swf;

namespace Flow.Samples.Tests;

/// <summary>Uploads to s3:// buckets, for real, against moto_server's S3 on 127.0.0.1.</summary>
[Parallelizable(ParallelScope.All)]
public sealed class S3UploadTests
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(90);
    private const string Bucket = "flow-samples-output";

    private MotoServer _moto = null!;
    private AmazonS3Client _s3 = null!;

    private static string Input => Repository.Path_("samples", "FileProcessing", "input", "durable-workflows.txt");

    [OneTimeSetUp]
    public async Task StartMoto()
    {
        _moto = await MotoServer.StartAsync(TimeSpan.FromSeconds(60));
        // The test's own client, configured apart from the sample's, reads back what the sample wrote.
        _s3 = new AmazonS3Client(new BasicAWSCredentials("test", "test"),
            new AmazonS3Config { ServiceURL = _moto.Url.ToString(), ForcePathStyle = true, AuthenticationRegion = "us-east-1" });
        await _s3.PutBucketAsync(new PutBucketRequest { BucketName = Bucket });
    }

    [OneTimeTearDown]
    public void StopMoto()
    {
        _s3?.Dispose();
        _moto?.Dispose();
    }

    private async Task<(Harness Harness, FileProcessingRun Run, Job Job)> StartAsync(string id, string bucket)
    {
        var h = await Harness.StartAsync(new S3Settings(_moto.Url, "us-east-1"));
        var job = h.Job(Input, id, bucket);
        return (h, await h.Client.StartAsync(id, job), job);
    }

    private async Task<byte[]> GetAsync(string key)
    {
        using var response = await _s3.GetObjectAsync(Bucket, key);
        using var copy = new MemoryStream();
        await response.ResponseStream.CopyToAsync(copy);
        return copy.ToArray();
    }

    [Test]
    public async Task The_gzip_copy_and_the_report_land_in_the_bucket_under_the_prefix_and_the_copy_decompresses_to_the_input_byte_for_byte()
    {
        var (h, run, job) = await StartAsync("s3-upload", $"s3://{Bucket}/runs/2026/");
        await using var _ = h;
        var input = await File.ReadAllBytesAsync(Input);

        var report = await run.GetResultAsync(new CancellationTokenSource(RunTimeout).Token);

        Assert.That(report.CompressedLocation, Is.EqualTo($"s3://{Bucket}/runs/2026/durable-workflows.txt.gz"));
        Assert.That(report.ReportLocation, Is.EqualTo($"s3://{Bucket}/runs/2026/durable-workflows.txt.report.json"));
        var listed = await _s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket, Prefix = "runs/2026/" });
        Assert.That(listed.S3Objects.Select(o => o.Key).Order(),
            Is.EqualTo(new[] { "runs/2026/durable-workflows.txt.gz", "runs/2026/durable-workflows.txt.report.json" }));

        var compressed = await GetAsync("runs/2026/durable-workflows.txt.gz");
        Assert.That(compressed, Has.Length.EqualTo(report.CompressedBytes));
        await using (var gzip = new GZipStream(new MemoryStream(compressed), CompressionMode.Decompress))
        using (var copy = new MemoryStream())
        {
            await gzip.CopyToAsync(copy);
            Assert.That(copy.ToArray(), Is.EqualTo(input));
        }

        using var json = JsonDocument.Parse(await GetAsync("runs/2026/durable-workflows.txt.report.json"));
        var sha = Convert.ToHexStringLower(SHA256.HashData(input));
        Assert.Multiple(() =>
        {
            Assert.That(json.RootElement.GetProperty("sha256").GetString(), Is.EqualTo(sha));
            Assert.That(report.Sha256, Is.EqualTo(sha));
            Assert.That(json.RootElement.GetProperty("bytes").GetInt64(), Is.EqualTo(input.Length));
            Assert.That(json.RootElement.GetProperty("compressedBytes").GetInt64(), Is.EqualTo(compressed.Length));
            Assert.That(Directory.Exists(job.WorkFolder), Is.False, "the working folder is deleted");
        });
        using var head = await _s3.GetObjectAsync(Bucket, "runs/2026/durable-workflows.txt.gz");
        Assert.That(head.Headers.ContentType, Is.EqualTo("application/gzip"));
    }

    [Test]
    public async Task A_bucket_with_no_prefix_takes_the_files_at_its_top()
    {
        const string Top = "flow-samples-top";
        await _s3.PutBucketAsync(new PutBucketRequest { BucketName = Top });
        var (h, run, _) = await StartAsync("s3-top", $"s3://{Top}");
        await using var _h = h;

        var report = await run.GetResultAsync(new CancellationTokenSource(RunTimeout).Token);

        Assert.That(report.CompressedLocation, Is.EqualTo($"s3://{Top}/durable-workflows.txt.gz"));
        var listed = await _s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Top });
        Assert.That(listed.S3Objects.Select(o => o.Key).Order(),
            Is.EqualTo(new[] { "durable-workflows.txt.gz", "durable-workflows.txt.report.json" }));
    }

    [Test]
    public async Task An_upload_to_a_bucket_that_does_not_exist_fails_the_run_with_S3s_answer_and_cleans_the_working_folder()
    {
        var (h, run, job) = await StartAsync("s3-missing", "s3://no-such-bucket-here/x");
        await using var _ = h;

        var closed = Assert.ThrowsAsync<WorkflowFailedException>(async () => await run.GetResultAsync(new CancellationTokenSource(RunTimeout).Token));

        Assert.That(closed!.Reason, Is.EqualTo(typeof(ActivityFailedException).FullName));
        Assert.That(closed.Details, Does.Contain("Amazon.S3.AmazonS3Exception").And.Contain("bucket does not exist"));
        Assert.That(Directory.Exists(job.WorkFolder), Is.False);
        Assert.That((await run.GetStateAsync())?.Stage, Is.EqualTo(Stage.Failed));
    }

    [Test]
    public async Task A_worker_without_s3_configuration_fails_an_s3_upload_with_a_reason_that_says_so()
    {
        await using var h = await Harness.StartAsync();
        var run = await h.Client.StartAsync("s3-unconfigured", h.Job(Input, "s3-unconfigured", $"s3://{Bucket}/x"));

        var closed = Assert.ThrowsAsync<WorkflowFailedException>(async () => await run.GetResultAsync(new CancellationTokenSource(RunTimeout).Token));

        Assert.That(closed!.Details, Does.Contain($"This worker has no S3 configuration and cannot upload to s3://{Bucket}/x."));
    }
}
