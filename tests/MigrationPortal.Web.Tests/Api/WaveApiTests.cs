using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace MigrationPortal.Web.Tests.Api;

/// <summary>/api/v1/waves: a CSV body or a multipart upload, errors keyed by row and column, and the dry run's CSV report.</summary>
public sealed class WaveApiTests(PortalWebFactory factory) : IClassFixture<PortalWebFactory>
{
    private const string Requester = "u-rita|Rita|Requester";
    private const string Approver = "u-anna|Anna|Approver";

    private static StringContent Csv(string text) => new(text, Encoding.UTF8, "text/csv");

    [Fact]
    public async Task ValidateWave_Answers400KeyedByRowAndColumn_WhenARowNamesNoVm()
    {
        using var client = factory.ClientFor(Requester);
        using var response = await client.PostAsync("/api/v1/waves/validate", Csv("vm,kind,wave,justification\nno-such-vm,Compute,w,why\nother,Teleport,w,why\n"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("Rows[2].VM", out _), errors.ToString());
        Assert.True(errors.TryGetProperty("Rows[3].Kind", out _), errors.ToString());
    }

    [Fact]
    public async Task ValidateWave_Answers400OnHeaders_WhenARequiredColumnIsMissing()
    {
        using var client = factory.ClientFor(Requester);
        using var response = await client.PostAsync("/api/v1/waves/validate", Csv("vm,kind,colour\nweb-01,Compute,blue\n"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var headers = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("Headers").ToString();
        Assert.Contains("colour", headers);
        Assert.Contains("Wave", headers);
    }

    [Fact]
    public async Task DryRunWave_ReturnsCsvReport_WhenUploadedAsMultipart()
    {
        using var client = factory.ClientFor(Requester);
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes("VM,Kind,Wave,Justification\n=cmd|' /C calc'!A0,Compute,w,why\n"));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        form.Add(file, "file", "wave.csv");
        using var response = await client.PostAsync("/api/v1/waves/dry-run", form);

        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("row,wave,vm,kind,severity,code,message", body);
        Assert.Contains("2,,,,Critical,validation,", body);
    }

    [Fact]
    public async Task SubmitWave_Answers403_WhenTheCallerIsOnlyAnApprover()
    {
        using var client = factory.ClientFor(Approver);
        using var response = await client.PostAsync("/api/v1/waves", Csv("VM,Kind,Wave,Justification\nweb-01,Compute,w,why\n"));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}
