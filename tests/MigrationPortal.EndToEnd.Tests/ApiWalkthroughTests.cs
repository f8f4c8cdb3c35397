using System.Diagnostics;
using Xunit.Abstractions;

namespace MigrationPortal.EndToEnd.Tests;

/// <summary>
/// The README's curl walk-through (docs/examples/api-walkthrough.sh), run as written with real curl and jq against a real
/// portal: tokens made with passwords, a request submitted and approved with bearer tokens, followed to Succeeded, and
/// the audit trail exported. If the README's commands stop working, this fails.
/// </summary>
public sealed class ApiWalkthroughTests(PortalServer portal, ITestOutputHelper output) : IClassFixture<PortalServer>
{
    [Fact]
    public async Task ReadmeWalkthrough_SubmitsApprovesAndFollowsARequestToSucceeded_WithTokensOnly()
    {
        var folder = Directory.CreateTempSubdirectory("mp-walkthrough-");
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder.FullName,
            ArgumentList = { Path.Combine(PortalServer.RepositoryRoot(), "docs", "examples", "api-walkthrough.sh") },
            Environment =
            {
                ["PORTAL"] = portal.BaseUrl,
                ["REQUESTER"] = "rita", ["REQUESTER_PASSWORD"] = PortalServer.Password,
                ["APPROVER"] = "anna", ["APPROVER_PASSWORD"] = PortalServer.Password,
                ["AUDITOR"] = "aldo", ["AUDITOR_PASSWORD"] = PortalServer.Password,
            },
        };
        using var script = Process.Start(start)!;
        var stdout = script.StandardOutput.ReadToEndAsync();
        var stderr = script.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        try
        {
            await script.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            script.Kill(entireProcessTree: true);
            throw new TimeoutException($"The walk-through did not finish in 4 minutes: {await stdout} {await stderr}");
        }

        var printed = await stdout + await stderr;
        output.WriteLine(printed);
        Assert.True(script.ExitCode == 0, printed);
        Assert.Matches(@"request [0-9a-f-]{36}: Succeeded", printed);
        var csv = Assert.Single(folder.GetFiles("audit-*.csv"));
        var lines = await File.ReadAllLinesAsync(csv.FullName);
        Assert.Contains(lines, l => l.Contains("request.approved", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("request.submitted", StringComparison.Ordinal));
        folder.Delete(recursive: true);
    }
}
