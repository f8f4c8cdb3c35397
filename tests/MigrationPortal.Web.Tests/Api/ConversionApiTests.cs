using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Infrastructure.Persistence;

namespace MigrationPortal.Web.Tests.Api;

/// <summary>
/// POST /api/v1/requests for VMware → KVM: the body names the destination connection, the maps and the options; the
/// request's JSON shows them back. A bad option or a network the map leaves out is a 400 ProblemDetails naming the field.
/// </summary>
public sealed class ConversionApiTests(ConversionApiTests.Factory factory) : IClassFixture<ConversionApiTests.Factory>
{
    private const string Administrator = "u-adam|Adam|Administrator";

    /// <summary>The production host with a conversion itinerary for the vSphere → libvirt pair registered, as the steps will bring.</summary>
    public sealed class Factory : ProductionWebFactory
    {
        protected override void ConfigureServices(IServiceCollection services) => ConversionWorld.RegisterItinerary(services);
    }

    private async Task<ConversionWorld> WorldAsync(bool mapAllNetworks = true)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var now = scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow();
        var world = await ConversionWorld.SeedAsync(db, "demo-payments");
        if (mapAllNetworks) await world.AddNetworkMapAsync(db, now, "east to kvm");
        else await world.AddNetworkMapAsync(db, now, "prod only", new NetworkMapping(ConversionWorld.ProdNetwork, NetworkTargetKind.Bridge, "br-prod"));
        await world.AddStorageMapAsync(db, now, "east disks");
        return world;
    }

    private static string Body(ConversionWorld world, string afterSuccess = "\"KeepOff\"") =>
        $$"""{"vmId":"{{world.Vm.Id}}","kind":"CrossPlatform","live":false,"targetConnectionId":"{{world.KvmId}}","targetHostId":"{{world.KvmHostId}}","keepIdentity":false,"afterSuccess":{{afterSuccess}},"takeSnapshot":false,"justification":"Leaving VMware"}""";

    private async Task<(HttpStatusCode Status, string? MediaType, JsonElement Json)> PostAsync(string body)
    {
        using var client = factory.ClientFor(Administrator);
        using var response = await client.PostAsync("/api/v1/requests", new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, response.Content.Headers.ContentType?.MediaType, JsonDocument.Parse(text).RootElement.Clone());
    }

    [Fact]
    public async Task SubmitRequest_Answers201AndTheRequestShowsTheConversion_WhenTheBodyNamesTheDestination()
    {
        var world = await WorldAsync();

        var (status, _, created) = await PostAsync(Body(world));

        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal("CrossPlatform", created.GetProperty("kind").GetString());
        using var client = factory.ClientFor(Administrator);
        var details = await client.GetFromJsonAsync<JsonElement>($"/api/v1/requests/{created.GetProperty("id").GetGuid()}");
        var conversion = details.GetProperty("conversion");
        Assert.False(conversion.GetProperty("keepIdentity").GetBoolean());
        Assert.Equal("KeepOff", conversion.GetProperty("afterSuccess").GetString());
        Assert.Equal(world.KvmId, conversion.GetProperty("destinationConnectionId").GetGuid());
        Assert.Contains(conversion.GetProperty("networks").EnumerateArray(),
            n => n.GetProperty("sourceNetwork").GetString() == ConversionWorld.ProdNetwork && n.GetProperty("targetKind").GetString() == "Bridge" && n.GetProperty("targetName").GetString() == "br-prod");
        Assert.Contains(conversion.GetProperty("storage").EnumerateArray(),
            s => s.GetProperty("sourceDatastore").GetString() == ConversionWorld.FastStore && s.GetProperty("targetPool").GetString() == "images" && s.GetProperty("format").GetString() == "Qcow2");
        Assert.Equal(world.Vm.Name, conversion.GetProperty("source").GetProperty("vmName").GetString());
        Assert.Equal(world.VCenterId, conversion.GetProperty("source").GetProperty("connectionId").GetGuid());
        // Not converted yet: no new domain to name.
        Assert.Equal(JsonValueKind.Null, conversion.GetProperty("domain").ValueKind);
    }

    [Fact]
    public async Task SubmitRequest_Answers400NamingTakeSnapshot_WhenAConversionAsksForASnapshot()
    {
        var world = await WorldAsync();

        var (status, mediaType, problem) = await PostAsync(Body(world).Replace("\"takeSnapshot\":false", "\"takeSnapshot\":true", StringComparison.Ordinal));

        Assert.Equal((HttpStatusCode.BadRequest, "application/problem+json"), (status, mediaType));
        Assert.Contains("never writes the source", problem.GetProperty("errors").GetProperty("TakeSnapshot")[0].GetString());
    }

    [Theory]
    [InlineData("\"DeleteIt\"")]
    [InlineData("7")]
    [InlineData("\"7\"")]
    public async Task SubmitRequest_Answers400NamingAfterSuccess_WhenItNamesNoOption(string afterSuccess)
    {
        var world = await WorldAsync();

        var (status, mediaType, problem) = await PostAsync(Body(world, afterSuccess));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("application/problem+json", mediaType);
        Assert.Contains(problem.GetProperty("errors").GetProperty("AfterSuccess").EnumerateArray(), m => m.GetString()!.Contains("is not one of KeepOffAndAnnotate, KeepOff", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SubmitRequest_Answers400NamingTheUnmappedNetwork_WhenTheMapLeavesOneOut()
    {
        var world = await WorldAsync(mapAllNetworks: false);

        var (status, mediaType, problem) = await PostAsync(Body(world));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("application/problem+json", mediaType);
        var message = Assert.Single(problem.GetProperty("errors").GetProperty("NetworkMapId").EnumerateArray()).GetString();
        Assert.Contains($"'{ConversionWorld.BackupNetwork}'", message);
    }
}
