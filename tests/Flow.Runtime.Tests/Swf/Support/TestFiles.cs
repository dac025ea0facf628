namespace Flow.Runtime.Tests.Swf.Support;

/// <summary>Data files the project copies to the output folder (CI builds map source paths to /_/, so tests never
/// find files through [CallerFilePath]).</summary>
internal static class TestFiles
{
    /// <summary>The SigV4 vectors botocore computed (Swf/vectors/sigv4.json).</summary>
    public static string SigV4Vectors => Path.Combine(AppContext.BaseDirectory, "Swf", "vectors", "sigv4.json");

    /// <summary>The real SWF histories of tests/Histories.</summary>
    public static string HistoriesFolder => Path.Combine(AppContext.BaseDirectory, "Histories");
}
