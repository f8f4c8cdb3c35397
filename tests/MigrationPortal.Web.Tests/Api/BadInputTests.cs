using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MigrationPortal.Application.Common;
using MigrationPortal.Infrastructure.Persistence;
using Npgsql;

namespace MigrationPortal.Web.Tests.Api;

/// <summary>
/// Every write route and every query parameter fed what a careless or hostile caller sends: malformed JSON, wrong types,
/// bad GUIDs and dates, enum numbers that name nothing, over-long text and NUL characters. Each must be a 400
/// ProblemDetails naming the field, never a 500 and never stored, on SQLite and on PostgreSQL (which refuses NUL and
/// over-long text itself). The host runs as Production, where ASP.NET Core answered binding failures with an empty 400.
/// </summary>
public abstract class BadInputTests<TFactory>(TFactory factory) where TFactory : PortalWebFactory
{
    private const string Administrator = "u-adam|Adam|Administrator";
    private const string Operator = "u-olga|Olga|Operator";
    private const string Malformed = "{\"name\": \"x\", ";

    private static string Long(int limit) => new('x', limit + 1);

    public static TheoryData<string> CaseNames() => [.. Cases.Keys];

    /// <summary>name → (caller, method, url, body, the field the 400 must name). {x} in a URL or body is filled in by <see cref="FillAsync"/>.</summary>
    private static readonly Dictionary<string, (string Caller, string Method, string Url, string? Body, string Field)> Cases = new()
    {
        // Malformed JSON and wrong types, one per write route with a body.
        ["submit: malformed"] = (Administrator, "POST", "/api/v1/requests", Malformed, "*"),
        ["submit: vmId not a GUID"] = (Administrator, "POST", "/api/v1/requests", """{"vmId":"not-a-guid","kind":"Compute","justification":"x"}""", "VmId"),
        ["submit: live is a string"] = (Administrator, "POST", "/api/v1/requests", """{"vmId":"{vm}","kind":"Compute","live":"yes","justification":"x"}""", "Live"),
        ["submit: notBefore not a date"] = (Administrator, "POST", "/api/v1/requests", """{"vmId":"{vm}","kind":"Compute","scheduleMode":"SpecificTime","notBefore":"tomorrow","justification":"x"}""", "NotBefore"),
        ["submit: kind 99"] = (Administrator, "POST", "/api/v1/requests", """{"vmId":"{vm}","kind":99,"live":true,"targetHostId":"{host}","justification":"x"}""", "Kind~is not one of"),
        ["submit: kind \"99\""] = (Administrator, "POST", "/api/v1/requests", """{"vmId":"{vm}","kind":"99","live":true,"targetHostId":"{host}","justification":"x"}""", "Kind~is not one of"),
        ["submit: scheduleMode 42"] = (Administrator, "POST", "/api/v1/requests", """{"vmId":"{vm}","kind":"Compute","scheduleMode":42,"targetHostId":"{host}","justification":"x"}""", "ScheduleMode~is not one of"),
        ["submit: justification too long"] = (Administrator, "POST", "/api/v1/requests", $$"""{"vmId":"{vm}","kind":"Compute","targetHostId":"{host}","justification":"{{Long(TextLimits.Justification)}}"}""", "Justification~or fewer"),
        ["submit: justification NUL"] = (Administrator, "POST", "/api/v1/requests", """{"vmId":"{vm}","kind":"Compute","targetHostId":"{host}","justification":"a\u0000b"}""", "Justification~NUL"),
        ["submit: targetHostId NUL"] = (Administrator, "POST", "/api/v1/requests", """{"vmId":"{vm}","kind":"Compute","targetHostId":"h\u0000","justification":"x"}""", "TargetHostId~NUL"),
        ["submit: targetDatastoreId too long"] = (Administrator, "POST", "/api/v1/requests", $$"""{"vmId":"{vm}","kind":"Storage","targetDatastoreId":"{{Long(TextLimits.ExternalId)}}","justification":"x"}""", "TargetDatastoreId~or fewer"),

        ["cancel: malformed"] = (Administrator, "POST", "/api/v1/requests/{request}/cancel", Malformed, "*"),
        ["cancel: reason is a number"] = (Administrator, "POST", "/api/v1/requests/{request}/cancel", """{"reason":5}""", "Reason"),
        ["cancel: reason too long"] = (Administrator, "POST", "/api/v1/requests/{request}/cancel", $$"""{"reason":"{{Long(TextLimits.Reason)}}"}""", "Reason~or fewer"),
        ["cancel: reason NUL"] = (Administrator, "POST", "/api/v1/requests/{request}/cancel", """{"reason":"a\u0000"}""", "Reason~NUL"),
        ["approve: comment too long"] = ("u-anna|Anna|Approver|{group}", "POST", "/api/v1/requests/{request}/approve", $$"""{"comment":"{{Long(TextLimits.Comment)}}"}""", "Comment~or fewer"),
        ["reject: comment NUL"] = ("u-anna|Anna|Approver|{group}", "POST", "/api/v1/requests/{request}/reject", """{"comment":"no\u0000"}""", "Comment~NUL"),
        ["approve: malformed"] = ("u-anna|Anna|Approver", "POST", "/api/v1/requests/{request}/approve", Malformed, "*"),
        ["retry: reason too long"] = (Operator, "POST", "/api/v1/requests/{request}/retry", $$"""{"reason":"{{Long(TextLimits.Reason)}}"}""", "Reason~or fewer"),
        ["rollback: reason NUL"] = (Operator, "POST", "/api/v1/requests/{request}/rollback", """{"reason":"a\u0000"}""", "Reason~NUL"),

        ["batch: malformed"] = (Administrator, "POST", "/api/v1/batches", Malformed, "*"),
        ["batch: item kind 99"] = (Administrator, "POST", "/api/v1/batches", """{"name":"b","justification":"x","items":[{"vmId":"{vm}","kind":99,"targetHostId":"{host}"}]}""", "Items[0].Kind~is not one of"),
        ["batch: item vmId not a GUID"] = (Administrator, "POST", "/api/v1/batches", """{"name":"b","justification":"x","items":[{"vmId":"nope","kind":"Compute"}]}""", "Items[0].VmId"),
        ["batch: name too long"] = (Administrator, "POST", "/api/v1/batches", $$"""{"name":"{{Long(TextLimits.Name)}}","justification":"x","items":[{"vmId":"{vm}","kind":"Compute","targetHostId":"{host}"}]}""", "Name~or fewer"),
        ["batch: item targetHostId NUL"] = (Administrator, "POST", "/api/v1/batches", """{"name":"b","justification":"x","items":[{"vmId":"{vm}","kind":"Compute","targetHostId":"h\u0000"}]}""", "Items[0].TargetHostId~NUL"),
        ["batch approve: comment too long"] = ("u-anna|Anna|Approver", "POST", "/api/v1/batches/{batch}/approve", $$"""{"comment":"{{Long(TextLimits.Comment)}}"}""", "Comment~or fewer"),
        ["batch reject: comment NUL"] = ("u-anna|Anna|Approver", "POST", "/api/v1/batches/{batch}/reject", """{"comment":"a\u0000"}""", "Comment~NUL"),

        ["evacuation: malformed"] = (Operator, "POST", "/api/v1/hosts/{hostRow}/evacuation", Malformed, "*"),
        ["evacuation: move kind 99"] = (Operator, "POST", "/api/v1/hosts/{hostRow}/evacuation", """{"justification":"x","moves":[{"vmId":"{vm}","targetHostId":"{host}","kind":99}]}""", "Moves[0].Kind~is not one of"),
        ["evacuation: justification NUL"] = (Operator, "POST", "/api/v1/hosts/{hostRow}/evacuation", """{"justification":"a\u0000","moves":[]}""", "Justification~NUL"),
        ["evacuation: targetHostId too long"] = (Operator, "POST", "/api/v1/hosts/{hostRow}/evacuation", $$"""{"justification":"x","moves":[{"vmId":"{vm}","targetHostId":"{{Long(TextLimits.ExternalId)}}"}]}""", "Moves[0].TargetHostId~or fewer"),

        ["connection: malformed"] = (Administrator, "POST", "/api/v1/connections", Malformed, "*"),
        ["connection: flag is a string"] = (Administrator, "POST", "/api/v1/connections", """{"name":"c","kind":"vsphere","endpoint":"https://vc.example/sdk","allowUnencryptedMigration":"no"}""", "AllowUnencryptedMigration"),
        ["connection: name too long"] = (Administrator, "POST", "/api/v1/connections", $$"""{"name":"{{Long(TextLimits.Name)}}","kind":"vsphere","endpoint":"https://vc.example/sdk"}""", "Name~or fewer"),
        ["connection: name NUL"] = (Administrator, "POST", "/api/v1/connections", """{"name":"vc\u0000","kind":"vsphere","endpoint":"https://vc.example/sdk"}""", "Name~NUL"),
        ["connection: username too long"] = (Administrator, "POST", "/api/v1/connections", $$"""{"name":"c-user","kind":"vsphere","endpoint":"https://vc.example/sdk","username":"{{Long(TextLimits.Name)}}"}""", "Username~or fewer"),
        ["connection: endpoint too long"] = (Administrator, "POST", "/api/v1/connections", $$"""{"name":"c-endpoint","kind":"vsphere","endpoint":"https://vc.example/{{Long(TextLimits.Endpoint)}}"}""", "Endpoint~or fewer"),
        ["connection: CA PEM that does not parse"] = (Administrator, "POST", "/api/v1/connections", """{"name":"kvm-bad-ca","kind":"libvirt","endpoint":"qemu+tls://kvm1.example/system","caCertificatePem":"-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----"}""", "CaCertificatePem"),
        ["connection: CA PEM too long"] = (Administrator, "POST", "/api/v1/connections", $$"""{"name":"kvm-long-ca","kind":"libvirt","endpoint":"qemu+tls://kvm1.example/system","caCertificatePem":"-----BEGIN CERTIFICATE-----{{Long(TextLimits.Pem)}}"}""", "CaCertificatePem~or fewer"),
        ["connection edit: secret too long"] = (Administrator, "PUT", "/api/v1/connections/{connection}", $$"""{"name":"vc-edit","kind":"vsphere","endpoint":"https://vc.example/sdk","secret":"{{Long(TextLimits.Secret)}}"}""", "Secret~or fewer"),
        ["connection edit: malformed"] = (Administrator, "PUT", "/api/v1/connections/{connection}", Malformed, "*"),

        ["application: malformed"] = (Administrator, "PUT", "/api/v1/applications/{application}", Malformed, "*"),
        ["application: owner kind 5"] = (Administrator, "PUT", "/api/v1/applications/{application}", """{"environment":"prod","owners":[{"kind":5,"principal":"x"}]}""", "Owners[0].Kind~is not one of"),
        ["application: environment too long"] = (Administrator, "PUT", "/api/v1/applications/{application}", $$"""{"environment":"{{Long(TextLimits.Environment)}}","owners":[]}""", "Environment~or fewer"),
        ["application: unknown user owner"] = (Administrator, "PUT", "/api/v1/applications/{application}", """{"owners":[{"kind":"User","principal":"alice"}]}""", "Owners[0].Principal~not a known user"),
        ["application create: malformed"] = (Administrator, "POST", "/api/v1/applications", Malformed, "*"),
        ["application create: no name"] = (Administrator, "POST", "/api/v1/applications", """{"environment":"prod"}""", "Name~Name the application"),
        ["application create: unknown user owner"] = (Administrator, "POST", "/api/v1/applications", """{"name":"bad-owner","owners":[{"kind":"User","principal":"alice"}]}""", "Owners[0].Principal~not a known user"),
        ["application create: made-up group"] = (Administrator, "POST", "/api/v1/applications", """{"name":"bad-group","owners":[{"kind":"Group","principal":"made-up"}]}""", "Owners[0].Principal~object ID"),
        ["application: owner principal NUL"] = (Administrator, "PUT", "/api/v1/applications/{application}", """{"owners":[{"kind":"User","principal":"u\u0000"}]}""", "Owners[0].Principal~NUL"),

        ["rules: malformed"] = (Administrator, "PUT", "/api/v1/approval-rules", "[{\"name\":", "*"),
        ["rules: outcome 9"] = (Administrator, "PUT", "/api/v1/approval-rules", """[{"name":"r","outcome":9}]""", "Rules[0].Outcome~is not one of"),
        ["rules: kind 99"] = (Administrator, "PUT", "/api/v1/approval-rules", """[{"name":"r","outcome":"AutoApprove","kind":99}]""", "Rules[0].Kind~is not one of"),
        ["rules: application that does not exist"] = (Administrator, "PUT", "/api/v1/approval-rules", """[{"name":"r","outcome":"AutoApprove","applicationId":"5d6f8a0e-0000-4000-8000-000000000001"}]""", "Rules[0].ApplicationId"),
        ["rules: name too long"] = (Administrator, "PUT", "/api/v1/approval-rules", $$"""[{"name":"{{Long(TextLimits.Name)}}","outcome":"AutoApprove"}]""", "Rules[0].Name~or fewer"),
        ["rules: group NUL"] = (Administrator, "PUT", "/api/v1/approval-rules", """[{"name":"r","outcome":"RequireApprovals","approverGroup":"g\u0000"}]""", "Rules[0].ApproverGroup~NUL"),

        ["user: no role"] = (Administrator, "POST", "/api/v1/users", """{"userName":"no-role","displayName":"x","password":"Correct-horse-42","roles":[]}""", "Roles~at least one role"),
        ["user: malformed"] = (Administrator, "POST", "/api/v1/users", Malformed, "*"),
        ["user: roles is a string"] = (Administrator, "POST", "/api/v1/users", """{"userName":"x","password":"Correct-horse-42","roles":"Requester"}""", "Roles"),
        ["user: user name too long"] = (Administrator, "POST", "/api/v1/users", $$"""{"userName":"{{Long(TextLimits.Name)}}","displayName":"x","password":"Correct-horse-42","roles":[]}""", "UserName~or fewer"),
        ["user: display name NUL"] = (Administrator, "POST", "/api/v1/users", """{"userName":"nul-display","displayName":"a\u0000","password":"Correct-horse-42","roles":[]}""", "DisplayName~NUL"),
        ["user: display name too long"] = (Administrator, "POST", "/api/v1/users", $$"""{"userName":"long-display","displayName":"{{Long(TextLimits.Name)}}","password":"Correct-horse-42","roles":[]}""", "DisplayName~or fewer"),
        ["user: password too long"] = (Administrator, "POST", "/api/v1/users", $$"""{"userName":"long-password","password":"{{Long(TextLimits.Password)}}","roles":[]}""", "Password~or fewer"),
        ["user access: malformed"] = (Administrator, "PUT", "/api/v1/users/{user}/access", Malformed, "*"),
        ["user access: group too long"] = (Administrator, "PUT", "/api/v1/users/{user}/access", $$"""{"roles":["Auditor"],"groups":["{{Long(TextLimits.Group)}}"]}""", "Groups[0]~or fewer"),
        ["user access: group NUL"] = (Administrator, "PUT", "/api/v1/users/{user}/access", """{"roles":["Auditor"],"groups":["g\u0000"]}""", "Groups[0]~NUL"),
        ["user password: too long"] = (Administrator, "PUT", "/api/v1/users/{user}/password", $$"""{"newPassword":"{{Long(TextLimits.Password)}}"}""", "Password~or fewer"),
        ["user password: malformed"] = (Administrator, "PUT", "/api/v1/users/{user}/password", Malformed, "*"),

        ["window: malformed"] = (Administrator, "POST", "/api/v1/windows", Malformed, "*"),
        ["window: recurrence 7"] = (Administrator, "POST", "/api/v1/windows", """{"name":"w7","recurrence":7,"expression":"0 22 * * *","timeZoneId":"UTC","localStart":"2026-01-01T22:00:00","durationMinutes":60,"scopeKind":"Connection","scopeConnectionId":"{connection}"}""", "Recurrence~is not one of"),
        ["window: scope kind 9"] = (Administrator, "POST", "/api/v1/windows", """{"name":"w9","recurrence":"OneOff","timeZoneId":"UTC","localStart":"2026-01-01T22:00:00","durationMinutes":60,"scopeKind":9}""", "ScopeKind~is not one of"),
        ["window: localStart not a date"] = (Administrator, "POST", "/api/v1/windows", """{"name":"wd","recurrence":"OneOff","timeZoneId":"UTC","localStart":"31/12/2026 22:00","durationMinutes":60}""", "LocalStart"),
        ["window: duration is text"] = (Administrator, "POST", "/api/v1/windows", """{"name":"wt","recurrence":"OneOff","timeZoneId":"UTC","localStart":"2026-01-01T22:00:00","durationMinutes":"an hour"}""", "DurationMinutes"),
        ["window: scope connection not a GUID"] = (Administrator, "POST", "/api/v1/windows", """{"name":"wg","recurrence":"OneOff","timeZoneId":"UTC","localStart":"2026-01-01T22:00:00","durationMinutes":60,"scopeKind":"Connection","scopeConnectionId":"conn-1"}""", "ScopeConnectionId"),
        ["window: FREQ=SECONDLY"] = (Administrator, "POST", "/api/v1/windows", """{"name":"ws","recurrence":"RRule","expression":"FREQ=SECONDLY","timeZoneId":"UTC","localStart":"2026-01-01T22:00:00","durationMinutes":1,"scopeKind":"Connection","scopeConnectionId":"{connection}","enabled":false}""", "Expression"),
        ["window: FREQ=MINUTELY"] = (Administrator, "POST", "/api/v1/windows", """{"name":"wm","recurrence":"RRule","expression":"FREQ=MINUTELY;INTERVAL=5","timeZoneId":"UTC","localStart":"2026-01-01T22:00:00","durationMinutes":1,"scopeKind":"Connection","scopeConnectionId":"{connection}","enabled":false}""", "Expression"),
        ["window: cron every minute"] = (Administrator, "POST", "/api/v1/windows", """{"name":"wc","recurrence":"Cron","expression":"* * * * *","timeZoneId":"UTC","localStart":"2026-01-01T22:00:00","durationMinutes":1,"scopeKind":"Connection","scopeConnectionId":"{connection}","enabled":false}""", "Expression"),
        ["window: name NUL"] = (Administrator, "POST", "/api/v1/windows", """{"name":"w\u0000","recurrence":"OneOff","timeZoneId":"UTC","localStart":"2026-01-01T22:00:00","durationMinutes":60,"scopeKind":"Connection","scopeConnectionId":"{connection}","enabled":false}""", "Name~NUL"),
        ["window: expression too long"] = (Administrator, "POST", "/api/v1/windows", $$"""{"name":"wl","recurrence":"RRule","expression":"FREQ=YEARLY;BYYEARDAY={{string.Join(",", Enumerable.Range(1, 200))}}","timeZoneId":"UTC","localStart":"2026-01-01T22:00:00","durationMinutes":60,"scopeKind":"Connection","scopeConnectionId":"{connection}","enabled":false}""", "Expression~or fewer"),
        ["window: scope item NUL"] = (Administrator, "POST", "/api/v1/windows", """{"name":"wi","recurrence":"OneOff","timeZoneId":"UTC","localStart":"2026-01-01T22:00:00","durationMinutes":60,"scopeKind":"Host","scopeConnectionId":"{connection}","scopeItem":"h\u0000","enabled":false}""", "ScopeItem~NUL"),
        ["window edit: recurrence 7"] = (Administrator, "PUT", "/api/v1/windows/{window}", """{"name":"w7e","recurrence":7,"timeZoneId":"UTC","localStart":"2026-01-01T22:00:00","durationMinutes":60,"scopeKind":"Connection","scopeConnectionId":"{connection}","enabled":false}""", "Recurrence~is not one of"),
        ["window edit: time zone too long"] = (Administrator, "PUT", "/api/v1/windows/{window}", $$"""{"name":"wz","recurrence":"OneOff","timeZoneId":"{{Long(TextLimits.TimeZoneId)}}","localStart":"2026-01-01T22:00:00","durationMinutes":60,"scopeKind":"Connection","scopeConnectionId":"{connection}","enabled":false}""", "TimeZoneId~or fewer"),
        ["blackout: recurrence 7"] = (Administrator, "POST", "/api/v1/blackouts", """{"name":"b7","recurrence":7,"timeZoneId":"UTC","localStart":"2026-01-01T22:00:00","durationMinutes":60}""", "Recurrence~is not one of"),
        ["blackout: malformed"] = (Administrator, "POST", "/api/v1/blackouts", Malformed, "*"),
        ["blackout: name too long"] = (Administrator, "POST", "/api/v1/blackouts", $$"""{"name":"{{Long(TextLimits.WindowName)}}","recurrence":"OneOff","timeZoneId":"UTC","localStart":"2026-01-01T22:00:00","durationMinutes":60}""", "Name~or fewer"),
        ["blackout edit: FREQ=SECONDLY"] = (Administrator, "PUT", "/api/v1/blackouts/{blackout}", """{"name":"bs","recurrence":"RRule","expression":"FREQ=SECONDLY","timeZoneId":"UTC","localStart":"2026-01-01T22:00:00","durationMinutes":1,"enabled":false}""", "Expression"),

        ["limits: malformed"] = (Administrator, "PUT", "/api/v1/concurrency-limits", Malformed, "*"),
        ["limits: global is text"] = (Administrator, "PUT", "/api/v1/concurrency-limits", """{"limits":[{"kind":"portal","resource":"global","value":"many"}]}""", "Limits[0].Value"),
        ["limits: unknown kind"] = (Administrator, "PUT", "/api/v1/concurrency-limits", """{"limits":[{"kind":"hyperv","resource":"host","value":2}]}""", "hyperv.host~not an installed connection kind"),
        ["limits: unknown resource"] = (Administrator, "PUT", "/api/v1/concurrency-limits", """{"limits":[{"kind":"vsphere","resource":"host-out","value":2}]}""", "vsphere.host-out~has no limit"),
        ["limits: negative"] = (Administrator, "PUT", "/api/v1/concurrency-limits", """{"limits":[{"kind":"portal","resource":"global","value":-3}]}""", "portal.global~from 1 to"),
        ["vm application: not a GUID"] = (Administrator, "PUT", "/api/v1/vms/{vm}/application", """{"applicationId":"payments"}""", "ApplicationId"),
        ["vm application: malformed"] = (Administrator, "PUT", "/api/v1/vms/{vm}/application", Malformed, "*"),

        // Query parameters.
        ["requests: state=999"] = (Administrator, "GET", "/api/v1/requests?state=999", null, "State~is not one of"),
        ["requests: skip is text"] = (Administrator, "GET", "/api/v1/requests?skip=ten", null, "Skip"),
        ["windows: vmId not a GUID"] = (Administrator, "GET", "/api/v1/windows?vmId=vm-1", null, "VmId"),
        ["calendar: from not a date"] = (Administrator, "GET", "/api/v1/calendar?from=next-week", null, "From"),
        ["audit: from not a date"] = (Administrator, "GET", "/api/v1/audit?from=yesterday", null, "From"),
        ["audit: requestId not a GUID"] = (Administrator, "GET", "/api/v1/audit?requestId=42", null, "RequestId"),
        ["audit: actor NUL"] = (Administrator, "GET", "/api/v1/audit?actor=a%00b", null, "Actor~NUL"),
        ["audit: page 0"] = (Administrator, "GET", "/api/v1/audit?page=0", null, "Page~between 1 and"),
        ["audit: page is text"] = (Administrator, "GET", "/api/v1/audit?page=two", null, "Page"),
        ["audit: pageSize too large"] = (Administrator, "GET", "/api/v1/audit?pageSize=5000", null, "PageSize~between 1 and"),
        ["audit: pageSize negative"] = (Administrator, "GET", "/api/v1/audit?pageSize=-1", null, "PageSize"),
        ["audit: page with skip"] = (Administrator, "GET", "/api/v1/audit?page=2&skip=10", null, "Page~not both"),
        ["audit: skip not a whole page"] = (Administrator, "GET", "/api/v1/audit?skip=5&take=10", null, "Skip~multiple of take"),
        ["audit export: action too long"] = (Administrator, "GET", $"/api/v1/audit/export?action={Long(TextLimits.Filter)}", null, "Action~or fewer"),
        ["vms: search NUL"] = (Administrator, "GET", "/api/v1/vms?search=a%00", null, "Search~NUL"),
        ["vms: host too long"] = (Administrator, "GET", $"/api/v1/vms?host={Long(TextLimits.Filter)}", null, "Host~or fewer"),
        ["vms: take is text"] = (Administrator, "GET", "/api/v1/vms?take=all", null, "Take"),
    };

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task Route_Answers400ProblemNamingTheField_ForBadInput(string name)
    {
        var (caller, method, url, body, expected) = Cases[name];
        // "Field~words": the field must be named, with a message containing the words (so an unrelated error on it does not count).
        var (field, words) = expected.Split('~') is [var f, var w] ? (f, w) : (expected, "");
        var values = await ValuesAsync();
        using var client = factory.ClientFor(Fill(caller, values));
        using var request = new HttpRequestMessage(new HttpMethod(method), Fill(url, values));
        if (body is not null) request.Content = new StringContent(Fill(body, values), Encoding.UTF8, "application/json");
        using var response = await client.SendAsync(request);

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{name}: expected 400, got {(int)response.StatusCode}: {Shorten(text)}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = JsonDocument.Parse(text).RootElement.GetProperty("errors");
        var named = errors.EnumerateObject().Select(p => p.Name).ToList();
        if (field == "*") Assert.NotEmpty(named);
        else Assert.True(named.Contains(field), $"{name}: the errors name {string.Join(", ", named)}, not {field}: {Shorten(text)}");
        if (words.Length > 0)
            Assert.True(errors.GetProperty(field).EnumerateArray().Any(m => m.GetString()!.Contains(words, StringComparison.Ordinal)), $"{name}: no message on {field} says '{words}': {Shorten(text)}");
    }

    [Fact]
    public async Task SignIn_RecordsAtMost256CharactersOfTheUserName_WhenAnAnonymousCallerTypesAMegabyte()
    {
        var typed = "z" + new string('y', 1_000_000);
        using var client = factory.ClientFor(null);
        var page = await client.GetStringAsync("/login");
        var token = System.Text.RegularExpressions.Regex.Match(page, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        using var response = await client.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["userName"] = typed, ["password"] = "whatever", ["returnUrl"] = "/", ["__RequestVerificationToken"] = token,
        }));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("error=invalid", response.Headers.Location!.ToString());

        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var recorded = await db.AuditEvents.Where(e => e.Action == "auth.sign-in-failed" && e.ActorName.StartsWith("zyyy")).Select(e => e.ActorName).ToListAsync();
        var name = Assert.Single(recorded);
        Assert.InRange(name.Length, 10, 256);
    }

    [Fact]
    public async Task SignIn_SendsBackToTheSignInForm_WhenTheUserNameHoldsANul()
    {
        // ASP.NET Core refuses a NUL in a form value, which fails the antiforgery check; before, that ended on the error page.
        using var client = factory.ClientFor(null);
        var page = await client.GetStringAsync("/login");
        var token = System.Text.RegularExpressions.Regex.Match(page, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        using var response = await client.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["userName"] = "nul\0name", ["password"] = "whatever", ["returnUrl"] = "/", ["__RequestVerificationToken"] = token,
        }));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/login?error=expired", response.Headers.Location!.ToString());
        var form = await client.GetStringAsync(response.Headers.Location!.ToString());
        Assert.Contains("The sign-in form had expired or could not be read", form);
    }

    private static string Shorten(string text) => text.Length > 600 ? text[..600] + "…" : text;

    private static string Fill(string text, IReadOnlyDictionary<string, string> values) =>
        values.Aggregate(text, (t, v) => t.Replace("{" + v.Key + "}", v.Value, StringComparison.Ordinal));

    // Made once per host (xunit makes a new test object per case; the host is the class fixture).
    private static Dictionary<string, string>? s_values;
    private static PortalWebFactory? s_valuesFor;

    /// <summary>The IDs the cases name: a VM and another host on its connection, a pending request, a batch, a window, a blackout, a user.</summary>
    private async Task<Dictionary<string, string>> ValuesAsync()
    {
        if (s_values is not null && ReferenceEquals(s_valuesFor, factory)) return s_values;
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var connection = await db.Connections.AsNoTracking().FirstAsync();
        var vms = await db.Vms.AsNoTracking().Where(v => v.ConnectionId == connection.Id).OrderBy(v => v.Name).Take(3).ToListAsync();
        var hosts = await db.Hosts.AsNoTracking().Where(h => h.ConnectionId == connection.Id).OrderBy(h => h.Name).ToListAsync();
        var application = await db.Applications.AsNoTracking().OrderBy(a => a.Name).FirstAsync();
        string OtherHost(Domain.Inventory.InventoryVm vm) => hosts.First(h => h.ExternalId != vm.HostExternalId).ExternalId;

        using var admin = factory.ClientFor(Administrator);
        var values = new Dictionary<string, string>
        {
            ["vm"] = vms[0].Id.ToString(), ["host"] = OtherHost(vms[0]), ["hostRow"] = hosts.First(h => h.ExternalId == vms[0].HostExternalId).Id.ToString(),
            ["connection"] = connection.Id.ToString(), ["application"] = application.Id.ToString(),
        };
        values["request"] = await CreatedIdAsync(admin.PostAsJsonAsync("/api/v1/requests", new { vmId = vms[1].Id, kind = "Compute", live = true, targetHostId = OtherHost(vms[1]), justification = "bad-input test" }));
        values["group"] = await db.Requests.AsNoTracking().Where(r => r.Id == Guid.Parse(values["request"])).Select(r => r.ApproverGroup ?? "").FirstAsync();
        var batch = await admin.PostAsJsonAsync("/api/v1/batches", new { name = "bad-input", justification = "bad-input test", items = new[] { new { vmId = vms[2].Id, kind = "Compute", live = true, targetHostId = OtherHost(vms[2]) } } });
        values["batch"] = await CreatedIdAsync(Task.FromResult(batch));
        var period = new { name = "bad-input", recurrence = "OneOff", timeZoneId = "UTC", localStart = "2026-01-01T22:00:00", durationMinutes = 60, scopeKind = "Connection", scopeConnectionId = connection.Id, enabled = false };
        values["window"] = await CreatedIdAsync(admin.PostAsJsonAsync("/api/v1/windows", period));
        values["blackout"] = await CreatedIdAsync(admin.PostAsJsonAsync("/api/v1/blackouts", period));
        values["user"] = await CreatedIdAsync(admin.PostAsJsonAsync("/api/v1/users", new { userName = "bad-input", displayName = "Bad Input", password = "Correct-horse-42", roles = new[] { "Requester" } }));
        s_valuesFor = factory;
        return s_values = values;
    }

    private static async Task<string> CreatedIdAsync(Task<HttpResponseMessage> sending)
    {
        using var response = await sending;
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"Set-up failed: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.GetProperty("id").ToString();
    }
}

/// <summary>The web app as it runs in production (where binding failures were answered with an empty 400).</summary>
public class ProductionWebFactory : PortalWebFactory
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseEnvironment("Production");
    }
}

/// <summary>The same on a fresh PostgreSQL database on this run's server (TestDatabases: local or container; a missing server fails, never skips).</summary>
public sealed class PostgreSqlProductionWebFactory : ProductionWebFactory
{
    // The local server MIGRATIONPORTAL_TEST_POSTGRES names, or the container (MIGRATIONPORTAL_TEST_DATABASES).
    private readonly string _server = TestDatabases.PostgresServer();
    private readonly string _database = $"mp_web_{Guid.NewGuid():N}";

    public PostgreSqlProductionWebFactory()
    {
        using var admin = new NpgsqlConnection(_server);
        admin.Open();
        using var create = new NpgsqlCommand($"CREATE DATABASE \"{_database}\"", admin);
        create.ExecuteNonQuery();
    }

    protected override IEnumerable<(string Key, string Value)> ExtraSettings =>
    [
        ("Database:Provider", "PostgreSql"),
        ("Database:ConnectionString", new NpgsqlConnectionStringBuilder(_server) { Database = _database }.ConnectionString),
    ];

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        NpgsqlConnection.ClearAllPools();
        using var admin = new NpgsqlConnection(_server);
        admin.Open();
        using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_database}\" WITH (FORCE)", admin);
        drop.ExecuteNonQuery();
    }
}

public sealed class SqliteBadInputTests(ProductionWebFactory factory) : BadInputTests<ProductionWebFactory>(factory), IClassFixture<ProductionWebFactory>;

public sealed class PostgreSqlBadInputTests(PostgreSqlProductionWebFactory factory) : BadInputTests<PostgreSqlProductionWebFactory>(factory), IClassFixture<PostgreSqlProductionWebFactory>;
