using Letterbox.Imap.Session;

namespace Letterbox.Imap;

/// <summary>The CAPABILITY list (RFC 9051 §7.2.2), which depends on the connection and the state.</summary>
internal static class Capabilities
{
    // Everything Letterbox implements whatever the state. LITERAL+ is the RFC 7888 rev1 spelling.
    private const string Common = "IMAP4rev1 IMAP4rev2 LITERAL+ SASL-IR ID ENABLE IDLE NAMESPACE UNSELECT UIDPLUS CHILDREN SPECIAL-USE CREATE-SPECIAL-USE LIST-EXTENDED LIST-STATUS ESEARCH SEARCHRES MOVE STATUS=SIZE BINARY MULTIAPPEND UTF8=ACCEPT CONDSTORE QRESYNC QUOTA QUOTA=RES-STORAGE";

    public static string For(ImapSession session)
    {
        var text = Common + " APPENDLIMIT=" + session.Options.Limits.MaxMessageSize;
        if (session.State is NotAuthenticatedState)
        {
            if (session.Connection.CanStartTls)
            {
                text += " STARTTLS";
            }
            // RFC 9051 §6.2.3 / §7.2.2: LOGINDISABLED and no AUTH= when plaintext passwords are refused.
            text += session.PlaintextAuthAllowed ? " AUTH=PLAIN AUTH=LOGIN" : " LOGINDISABLED";
        }
        return text;
    }
}
