; send-alert.scm: an administrator writes an alert for every signed-in user.
(popup name send-alert title (_ "Send an alert to everyone") (on cancel close)
  (textbox name text multiline #t max-length 4000 (on submit send-alert))
  (label name error role error text "")
  (hbox
    (button name send role primary text (_ "Send") (on click send-alert))
    (button name cancel text (_ "Cancel") (on click close))))
