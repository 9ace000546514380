"""The client's address: X-Forwarded-For is believed only from the configured proxies, and the
API throttle counts by that address, not by what a client writes in the header."""

import re

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle

from core.http.clientip import client_ip, client_key
from core.http.throttling import PageThrottleMiddleware


def request_from(peer, forwarded_for=None):
    headers = {"REMOTE_ADDR": peer}
    if forwarded_for is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return RequestFactory().get("/", **headers)


def test_client_ip_without_trusted_proxies_is_the_peer(settings):
    settings.DIRECTORY_TRUSTED_PROXIES = []
    assert client_ip(request_from("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


def test_client_ip_ignores_forwarded_for_from_untrusted_peer(settings):
    settings.DIRECTORY_TRUSTED_PROXIES = ["10.0.0.0/8", "127.0.0.1"]
    request = request_from("203.0.113.7", "198.51.100.1, 10.0.0.5")
    assert client_ip(request) == "203.0.113.7"


def test_client_ip_behind_trusted_proxies_is_rightmost_untrusted_hop(settings):
    settings.DIRECTORY_TRUSTED_PROXIES = ["10.0.0.0/8", "127.0.0.1"]
    # The client wrote 6.6.6.6 itself; the proxies appended 198.51.100.9 and 10.1.2.3.
    request = request_from("127.0.0.1", "6.6.6.6, 198.51.100.9, 10.1.2.3")
    assert client_ip(request) == "198.51.100.9"


def test_client_ip_reads_ports_brackets_and_mapped_addresses(settings):
    settings.DIRECTORY_TRUSTED_PROXIES = ["127.0.0.1"]
    assert client_ip(request_from("::ffff:127.0.0.1", "[2001:db8::1]:443")) == "2001:db8::1"
    assert client_ip(request_from("127.0.0.1", "198.51.100.9:8080")) == "198.51.100.9"


def test_client_ip_when_every_hop_is_a_proxy_is_the_furthest(settings):
    settings.DIRECTORY_TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_ip(request_from("10.0.0.1", "10.0.0.3, 10.0.0.2")) == "10.0.0.3"
    assert client_ip(request_from("10.0.0.1")) == "10.0.0.1"


def test_client_ip_without_a_peer_address_is_none(settings):
    assert client_ip(request_from("")) is None
    assert client_key(request_from("not-an-address")) is None


def test_client_key_takes_ipv6_clients_by_their_64_network(settings):
    assert client_key(request_from("2001:db8:1:2:3:4:5:6")) == "2001:db8:1:2::"
    assert client_key(request_from("2001:db8:1:2:ffff::9")) == "2001:db8:1:2::"
    assert client_key(request_from("198.51.100.9")) == "198.51.100.9"


def test_trusted_proxies_setting_names_an_entry_that_is_no_address(settings):
    settings.DIRECTORY_TRUSTED_PROXIES = ["10.0.0.0/8", "proxy.example.org"]
    message = re.escape("DJANGO_TRUSTED_PROXIES: 'proxy.example.org' is not an IP address")
    with pytest.raises(ImproperlyConfigured, match=message):
        client_ip(request_from("10.0.0.1"))
    # The server refuses to start with it, rather than fail every request.
    with pytest.raises(ImproperlyConfigured, match=re.escape("proxy.example.org")):
        PageThrottleMiddleware(lambda request: None)


@pytest.mark.django_db
def test_api_throttle_ignores_spoofed_forwarded_for(monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/min"})
    client = APIClient()
    statuses = [
        client.get("/api/v1/", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code for n in range(5)
    ]
    assert statuses == [200, 200, 200, 429, 429]


@pytest.mark.django_db
def test_api_throttle_behind_trusted_proxy_counts_each_client(settings, monkeypatch):
    settings.DIRECTORY_TRUSTED_PROXIES = ["127.0.0.1"]
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "2/min"})
    client = APIClient()

    def status(client_address):
        return client.get("/api/v1/", HTTP_X_FORWARDED_FOR=client_address).status_code

    assert [status("198.51.100.1") for _ in range(3)] == [200, 200, 429]
    # Another client behind the same proxy has its own count.
    assert status("198.51.100.2") == 200
    # Writing the other client's address first does not help: the proxy appended the real one.
    assert status("198.51.100.2, 198.51.100.1") == 429
