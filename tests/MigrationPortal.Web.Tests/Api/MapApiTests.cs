using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MigrationPortal.Application.Common;

namespace MigrationPortal.Web.Tests.Api;

/// <summary>
/// The conversion-map API as a careless or hostile caller meets it, in production mode on SQLite and PostgreSQL: bad enum
/// names and numbers, NUL and over-long text, unknown IDs, stale versions and taken names are each a ProblemDetails
/// (400 naming the field, 403, 404, 409), never a 500; and what is saved reads back with its enums by name.
/// </summary>
public abstract class MapApiTests<TFactory>(TFactory factory) where TFactory : PortalWebFactory
{
    private const string Administrator = "u-adam|Adam|Administrator";
    private const string Operator = "u-olga|Olga|Operator";

    private static string Long(int limit) => new('x', limit + 1);

    public static TheoryData<string> CaseNames() => [.. Cases.Keys];

    /// <summary>name → (route, body with {vc} and {kvm} for the pair, the field the 400 must name, with words its message must hold after '~').</summary>
    private static readonly Dictionary<string, (string Url, string Body, string Field)> Cases = new()
    {
        ["network: target kind name unknown"] = ("/api/v1/network-maps", """{"name":"m","sourceConnectionId":"{vc}","destinationConnectionId":"{kvm}","entries":[{"sourceNetwork":"VM Network","targetKind":"Tunnel","targetName":"default"}]}""", "Entries[0].TargetKind~is not one of"),
        ["network: target kind number 7"] = ("/api/v1/network-maps", """{"name":"m","sourceConnectionId":"{vc}","destinationConnectionId":"{kvm}","entries":[{"sourceNetwork":"VM Network","targetKind":7,"targetName":"default"}]}""", "Entries[0].TargetKind~is not one of"),
        ["network: target kind missing"] = ("/api/v1/network-maps", """{"name":"m","sourceConnectionId":"{vc}","destinationConnectionId":"{kvm}","entries":[{"sourceNetwork":"VM Network","targetName":"default"}]}""", "Entries[0].TargetKind~network or a bridge"),
        ["network: name NUL"] = ("/api/v1/network-maps", """{"name":"m\u0000","sourceConnectionId":"{vc}","destinationConnectionId":"{kvm}","entries":[{"sourceNetwork":"VM Network","targetKind":"Network","targetName":"default"}]}""", "Name~NUL"),
        ["network: name too long"] = ("/api/v1/network-maps", $$"""{"name":"{{Long(TextLimits.Name)}}","sourceConnectionId":"{vc}","destinationConnectionId":"{kvm}","entries":[{"sourceNetwork":"VM Network","targetKind":"Network","targetName":"default"}]}""", "Name~or fewer"),
        ["network: bridge name too long"] = ("/api/v1/network-maps", $$"""{"name":"m","sourceConnectionId":"{vc}","destinationConnectionId":"{kvm}","entries":[{"sourceNetwork":"VM Network","targetKind":"Bridge","targetName":"{{Long(TextLimits.Name)}}"}]}""", "Entries[0].TargetName~or fewer"),
        ["network: source network not in the inventory"] = ("/api/v1/network-maps", """{"name":"m","sourceConnectionId":"{vc}","destinationConnectionId":"{kvm}","entries":[{"sourceNetwork":"Nope","targetKind":"Network","targetName":"default"}]}""", "Entries[0].SourceNetwork~is not a network"),
        ["network: source connection not a GUID"] = ("/api/v1/network-maps", """{"name":"m","sourceConnectionId":"vc-1","destinationConnectionId":"{kvm}","entries":[]}""", "SourceConnectionId"),
        ["network: malformed"] = ("/api/v1/network-maps", """{"name": "m", """, "*"),
        ["storage: format number 9"] = ("/api/v1/storage-maps", """{"name":"m","sourceConnectionId":"{vc}","destinationConnectionId":"{kvm}","entries":[{"sourceDatastore":"LocalDS_0","targetPool":"default","format":9}]}""", "Entries[0].Format~is not one of"),
        ["storage: format name unknown"] = ("/api/v1/storage-maps", """{"name":"m","sourceConnectionId":"{vc}","destinationConnectionId":"{kvm}","entries":[{"sourceDatastore":"LocalDS_0","targetPool":"default","format":"vmdk"}]}""", "Entries[0].Format~is not one of"),
        ["storage: pool NUL"] = ("/api/v1/storage-maps", """{"name":"m","sourceConnectionId":"{vc}","destinationConnectionId":"{kvm}","entries":[{"sourceDatastore":"LocalDS_0","targetPool":"def\u0000ault","format":"Raw"}]}""", "Entries[0].TargetPool~NUL"),
        ["storage: pool not in the inventory"] = ("/api/v1/storage-maps", """{"name":"m","sourceConnectionId":"{vc}","destinationConnectionId":"{kvm}","entries":[{"sourceDatastore":"LocalDS_0","targetPool":"fast","format":"Raw"}]}""", "Entries[0].TargetPool~is not a storage pool"),
        ["storage: destination is the source"] = ("/api/v1/storage-maps", """{"name":"m","sourceConnectionId":"{vc}","destinationConnectionId":"{vc}","entries":[{"sourceDatastore":"LocalDS_0","targetPool":"default","format":"Raw"}]}""", "DestinationConnectionId~other than the source"),
        ["storage: version is text"] = ("/api/v1/storage-maps", """{"name":"m","sourceConnectionId":"{vc}","destinationConnectionId":"{kvm}","version":"one","entries":[]}""", "Version"),
    };

    private async Task<MapFixtures.Pair> PairAsync() => await MapFixtures.PairAsync(factory.Services);

    private static string Fill(string text, MapFixtures.Pair pair) => text.Replace("{vc}", pair.VCenter.ToString()).Replace("{kvm}", pair.Kvm.ToString());

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task SaveMap_Answers400ProblemNamingTheField_ForBadInput(string name)
    {
        var (url, body, expected) = Cases[name];
        var (field, words) = expected.Split('~') is [var f, var w] ? (f, w) : (expected, "");
        var pair = await PairAsync();
        using var client = factory.ClientFor(Administrator);
        using var response = await client.PostAsync(url, new StringContent(Fill(body, pair), Encoding.UTF8, "application/json"));

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{name}: expected 400, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = JsonDocument.Parse(text).RootElement.GetProperty("errors");
        var named = errors.EnumerateObject().Select(p => p.Name).ToList();
        if (field == "*") Assert.NotEmpty(named);
        else Assert.True(named.Contains(field), $"{name}: the errors name {string.Join(", ", named)}, not {field}: {text}");
        if (words.Length > 0)
            Assert.True(errors.GetProperty(field).EnumerateArray().Any(m => m.GetString()!.Contains(words, StringComparison.Ordinal)), $"{name}: no message on {field} says '{words}': {text}");
    }

    [Fact]
    public async Task NetworkMap_RoundTripsWithEnumsByName_AndAnswers409ForAStaleVersionAndATakenName()
    {
        var pair = await PairAsync();
        using var admin = factory.ClientFor(Administrator);
        using var created = await admin.PostAsJsonAsync("/api/v1/network-maps", MapFixtures.NetworkBody(pair, "prod"));
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        Assert.Equal($"/api/v1/network-maps/{id}", created.Headers.Location?.ToString());

        using var edited = await admin.PutAsJsonAsync($"/api/v1/network-maps/{id}", new
        {
            name = "prod", sourceConnectionId = pair.VCenter, destinationConnectionId = pair.Kvm, version = 1,
            entries = new[] { new { sourceNetwork = "VM Network", targetKind = "Bridge", targetName = "br0" } },
        });
        Assert.True(edited.StatusCode == HttpStatusCode.OK, await edited.Content.ReadAsStringAsync());
        var read = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/network-maps/{id}");
        Assert.Equal(2, read.GetProperty("version").GetInt32());
        Assert.Equal("Bridge", read.GetProperty("entries")[0].GetProperty("targetKind").GetString());
        var listed = await factory.ClientFor("u-rita|Rita|Requester").GetFromJsonAsync<JsonElement>($"/api/v1/conversion-maps?sourceConnectionId={pair.VCenter}&destinationConnectionId={pair.Kvm}");
        Assert.Equal(id, Assert.Single(listed.GetProperty("networkMaps").EnumerateArray()).GetProperty("id").GetGuid());

        using var stale = await admin.PutAsJsonAsync($"/api/v1/network-maps/{id}", MapFixtures.NetworkBody(pair, "prod-again", version: 1));
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Equal("application/problem+json", stale.Content.Headers.ContentType?.MediaType);
        using var twice = await admin.PostAsJsonAsync("/api/v1/network-maps", MapFixtures.NetworkBody(pair, "prod"));
        Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);
        Assert.Contains("already called 'prod'", (await twice.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task AdminPage_ListsSavedMapsInTheConversionMapsTab_WhenPrerendered()
    {
        var pair = await PairAsync();
        using var admin = factory.ClientFor(Administrator);
        var name = $"tab-{Guid.NewGuid():N}";
        using var created = await admin.PostAsJsonAsync("/api/v1/storage-maps", MapFixtures.StorageBody(pair, name));
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());

        var page = await admin.GetStringAsync("/admin");
        Assert.Contains("data-testid=\"conversion-maps\"", page);
        Assert.Contains(name, page);
        Assert.Contains("LocalDS_0 → default (qcow2)", System.Net.WebUtility.HtmlDecode(page));
    }

    [Fact]
    public async Task StorageMap_Answers403ForAnOperatorWriting_And404ForAnUnknownId()
    {
        var pair = await PairAsync();
        using var operatorClient = factory.ClientFor(Operator);
        using var refused = await operatorClient.PostAsJsonAsync("/api/v1/storage-maps", MapFixtures.StorageBody(pair, "ops"));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);

        using var admin = factory.ClientFor(Administrator);
        var missing = Guid.NewGuid();
        foreach (var response in new[]
                 {
                     await admin.GetAsync($"/api/v1/storage-maps/{missing}"),
                     await admin.PutAsJsonAsync($"/api/v1/storage-maps/{missing}", MapFixtures.StorageBody(pair, "x", version: 1)),
                     await admin.DeleteAsync($"/api/v1/storage-maps/{missing}"),
                 })
        {
            using (response)
            {
                Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            }
        }
    }
}

public sealed class SqliteMapApiTests(ProductionWebFactory factory) : MapApiTests<ProductionWebFactory>(factory), IClassFixture<ProductionWebFactory>;

public sealed class PostgreSqlMapApiTests(PostgreSqlProductionWebFactory factory) : MapApiTests<PostgreSqlProductionWebFactory>(factory), IClassFixture<PostgreSqlProductionWebFactory>;
