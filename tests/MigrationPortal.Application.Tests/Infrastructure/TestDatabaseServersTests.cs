using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MigrationPortal.Application.Tests.Infrastructure;

/// <summary>
/// Issue 14 §6: which database servers a test run uses (MIGRATIONPORTAL_TEST_DATABASES). Our machines have no Docker, so
/// the container path itself is not run here; the choice is, with the engine's answer given, and the probe against a fake engine.
/// </summary>
public sealed class TestDatabaseServersTests
{
    private static bool Engine() => true;

    private static bool NoEngine() => false;

    [Theory]
    [InlineData(null, false)]
    [InlineData(null, true)]
    [InlineData("", true)]
    [InlineData("auto", false)]
    public void Choose_ReturnsLocal_WhenNothingIsRequestedAndNoDockerEngineAnswers(string? requested, bool ci) =>
        Assert.Equal(TestDatabaseSource.Local, TestDatabaseServers.Choose(requested, ci, NoEngine));

    [Fact]
    public void Choose_ReturnsContainers_WhenNothingIsRequestedAndADockerEngineAnswers() =>
        Assert.Equal(TestDatabaseSource.Containers, TestDatabaseServers.Choose(null, ci: true, Engine));

    [Fact]
    public void Choose_FailsNamingTheVariableAndDocker_WhenContainersAreRequestedUnderCiWithoutAnEngine()
    {
        var error = Assert.Throws<InvalidOperationException>(() => TestDatabaseServers.Choose("containers", ci: true, NoEngine));
        Assert.Contains(TestDatabaseServers.Variable + "=containers", error.Message);
        Assert.Contains("no Docker engine answers", error.Message);
        Assert.Contains("CI=true", error.Message);
    }

    [Fact]
    public void Choose_ReturnsLocalWithAWarning_WhenContainersAreRequestedOutsideCiWithoutAnEngine()
    {
        var warnings = new List<string>();
        Assert.Equal(TestDatabaseSource.Local, TestDatabaseServers.Choose("Containers", ci: false, NoEngine, warnings.Add));
        Assert.Contains(warnings, w => w.Contains("SQL Server is not tested", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("containers", TestDatabaseSource.Containers)]
    [InlineData("local", TestDatabaseSource.Local)]
    public void Choose_ReturnsWhatWasRequested_WhenADockerEngineAnswers(string requested, TestDatabaseSource expected) =>
        Assert.Equal(expected, TestDatabaseServers.Choose(requested, ci: true, Engine));

    [Fact]
    public void Choose_Fails_WhenTheValueIsNotAChoice() =>
        Assert.Contains("not a choice", Assert.Throws<InvalidOperationException>(() => TestDatabaseServers.Choose("docker", ci: false, Engine)).Message);

    [Fact]
    public void DockerEngineAnswers_ReturnsFalse_WhenNothingListens()
    {
        Assert.False(TestDatabaseServers.DockerEngineAnswers($"unix://{Path.Combine(Path.GetTempPath(), $"no-docker-{Guid.NewGuid():N}.sock")}"));
        using var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        Assert.False(TestDatabaseServers.DockerEngineAnswers($"tcp://127.0.0.1:{port}"));
    }

    [Fact]
    public async Task DockerEngineAnswers_ReturnsTrue_WhenAnEngineAnswersItsPing()
    {
        using var engine = new TcpListener(IPAddress.Loopback, 0);
        engine.Start();
        var port = ((IPEndPoint)engine.LocalEndpoint).Port;
        var path = "";
        var serving = Task.Run(async () =>
        {
            using var client = await engine.AcceptTcpClientAsync();
            var stream = client.GetStream();
            var buffer = new byte[4096];
            var read = await stream.ReadAsync(buffer);
            path = Encoding.ASCII.GetString(buffer, 0, read).Split(' ')[1];
            await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nOK"));
        });

        Assert.True(TestDatabaseServers.DockerEngineAnswers($"tcp://127.0.0.1:{port}"));
        await serving;
        Assert.Equal("/_ping", path);
    }
}
