/**
 * Who may reach the centre (docs/architecture.md, "Centre"): enrolled devices only. A desk holds a
 * client certificate issued by the centre's CA (mutual TLS); a kiosk, display or rating tablet is a
 * browser holding a device token (an HttpOnly cookie) bound at pairing. A revoked device is
 * refused at once, live connections included.
 */
export type DeviceKind = 'desk' | 'kiosk' | 'display' | 'rating';

export const DEVICE_KINDS: readonly DeviceKind[] = ['desk', 'kiosk', 'display', 'rating'];

/** An enrolled, not revoked device, as a request handler sees it. */
export interface AuthenticatedDevice {
  id: string;
  kind: DeviceKind;
  /** As IT named it at enrolment ("Quầy 1", "Kiosk sảnh"). */
  name: string;
  /** The agency whose dossier numbers a desk takes. */
  agencyId: string;
  /** The queue counter a desk or a rating tablet stands at; null for kiosks and displays. */
  counter: string | null;
  /** A desk's offline reserve slot (0-9), unique among the agency's active desks; null otherwise. */
  deskSlot: number | null;
  /** A kiosk's ticket printer target (`tcp:host:port`, `serial:/dev/x@9600`, `usb:/dev/usb/lp0`); null: none. */
  printer: string | null;
}

/** A device as IT lists it (`centre devices`, doctor). */
export interface DeviceRecord extends AuthenticatedDevice {
  enrolledAt: string;
  lastSeenAt: string | null;
  revokedAt: string | null;
  /** Desks: the client certificate's SHA-256 fingerprint (hex) and expiry. */
  certificateFingerprint: string | null;
  certificateExpiresAt: string | null;
}
