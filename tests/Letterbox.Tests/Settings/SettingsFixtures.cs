using Letterbox.Core.Options;
using Letterbox.Settings;

namespace Letterbox.Tests.Settings;

/// <summary>The settings of a production-like server: the standard listeners on their standard ports.</summary>
internal static class SettingsFixtures
{
    public const string Host = "mail.example.com";

    public static MailServerSettings Standard(OutgoingServerOptions? outgoing = null, bool withPop3 = true)
    {
        var options = new LetterboxOptions();
        Letterbox.Hosting.StandardListeners.AddDefaults(options);
        if (!withPop3)
        {
            options.Listeners["pop3"].Enabled = false;
            options.Listeners["pop3s"].Enabled = false;
        }
        options.ClientSettings.Outgoing = outgoing;
        return MailServerSettings.FromOptions(options, Host);
    }
}
