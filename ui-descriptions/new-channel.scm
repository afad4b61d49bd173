; new-channel.scm: name a new channel. Answers the new channel's key, or nothing.
(popup name new-channel title (_ "New channel") (on cancel close)
  (label text (_ "Channel name"))
  (textbox name name max-length 40 (on submit create-channel))
  (label name error role error text "")
  (hbox
    (button name create role primary text (_ "Create") (on click create-channel))
    (button name cancel text (_ "Cancel") (on click close))))
