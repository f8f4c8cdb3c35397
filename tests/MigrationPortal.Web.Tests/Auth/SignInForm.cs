using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using MigrationPortal.Application.Abstractions;

namespace MigrationPortal.Web.Tests.Auth;

/// <summary>Posts the real sign-in form: fetches the page for its antiforgery token, then submits it like a browser.</summary>
public static partial class SignInForm
{
    public const string Password = "Correct-horse-42";

    public static async Task<HttpResponseMessage> PostAsync(HttpClient client, string userName, string password, string returnUrl = "/requests", bool asBrowser = false)
    {
        var page = await client.GetStringAsync("/login");
        var token = Token().Match(page).Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(token), "The sign-in page carries no antiforgery token.");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/account/login")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["userName"] = userName, ["password"] = password, ["returnUrl"] = returnUrl, ["__RequestVerificationToken"] = token,
            }),
        };
        if (asBrowser) request.Headers.Accept.ParseAdd("text/html,application/xhtml+xml");
        return await client.SendAsync(request);
    }

    public static async Task<string> CreateUserAsync(IServiceProvider services, string prefix = "sam")
    {
        var userName = $"{prefix}-{Guid.NewGuid():N}"[..12];
        await using var scope = services.CreateAsyncScope();
        var (id, errors) = await scope.ServiceProvider.GetRequiredService<IAccountDirectory>().CreateAsync(userName, "Sam", Password, ["Requester", "Auditor"], default);
        Assert.True(id is not null, string.Join(" ", errors.SelectMany(e => e.Value)));
        return userName;
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex Token();
}
